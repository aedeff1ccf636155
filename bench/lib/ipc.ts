/** Messages between the runner and a variant's process (Node IPC channel). */
export type ParentMessage = { id: number; type: 'stats' | 'flush' | 'close' };

export type ChildReply =
  | { type: 'ready'; id: 0 }
  | {
      type: 'stats';
      id: number;
      cpuMicros: number;
      rssBytes: number;
      maxRssBytes: number;
      /** The main thread's V8 heap and what it holds outside it (`process.memoryUsage()`). */
      heap: { usedBytes: number; totalBytes: number; externalBytes: number };
      extra: Record<string, unknown>;
    }
  | { type: 'flushed'; id: number; ms: number; extra: Record<string, unknown> }
  | { type: 'closed'; id: number }
  | { type: 'error'; id: number; error: string };

export type StatsReply = Extract<ChildReply, { type: 'stats' }>;
export type FlushReply = Extract<ChildReply, { type: 'flushed' }>;

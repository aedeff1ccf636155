import { Logger } from '@nestjs/common';
import type { AnalyticsFlushOptions } from '../options/analytics-module-options.interface';
import { resolveAnalyticsOptions } from '../options/analytics-options.factory';
import type { BufferedRecord } from '../records/record.types';
import { AnalyticsCounters } from './analytics-counters';
import type { BatchProducer } from './batch-producer';
import { JOB_SPACING_MS, RecordBuffer } from './record-buffer';

/**
 * Stands in for the Bull producer: records every batch it is given. In `auto` mode a send
 * resolves at once (or rejects when `failNext` is set); in `manual` mode it waits until the
 * test settles it, so the test controls what is in flight.
 */
class FakeProducer {
  readonly batches: BufferedRecord[][] = [];
  readonly connect = jest.fn();
  mode: 'auto' | 'manual' = 'auto';
  failNext = 0;
  inFlight = 0;
  maxInFlight = 0;
  private readonly waiting: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];

  isReady(): boolean {
    return true;
  }

  send(records: BufferedRecord[]): Promise<void> {
    this.batches.push([...records]);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const done = () => {
      this.inFlight--;
    };
    if (this.mode === 'manual') {
      return new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject })).finally(done);
    }
    done();
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new Error('Redis connection is reconnecting'));
    }
    return Promise.resolve();
  }

  /** Settles the oldest pending send. */
  settle(error?: Error): void {
    const next = this.waiting.shift();
    if (!next) throw new Error('no send is pending');
    if (error) next.reject(error);
    else next.resolve();
  }

  get pending(): number {
    return this.waiting.length;
  }

  /** Ids of every record sent, in order. */
  sentIds(): string[] {
    return this.batches.flat().map((r) => r.row.id);
  }
}

const record = (i: number): BufferedRecord => ({
  table: 'event_logs',
  row: { id: `id-${i}`, created_at: '2024-01-01T00:00:00.000Z', event_type: 'test.event' },
});
const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => `id-${from + k}`);

describe('RecordBuffer', () => {
  let producer: FakeProducer;
  let counters: AnalyticsCounters;
  let buffer: RecordBuffer;
  let warn: jest.SpyInstance;

  const create = (flush: AnalyticsFlushOptions) => {
    const options = resolveAnalyticsOptions({ flush }, {});
    buffer = new RecordBuffer(options, producer as unknown as BatchProducer, counters);
    return buffer;
  };
  const addAll = (from: number, to: number) => {
    for (let i = from; i <= to; i++) expect(buffer.add(record(i))).toBe(true);
  };
  /** Lets a deferred (setImmediate) flush run and the sends it starts settle. */
  const runDeferred = () => jest.advanceTimersByTimeAsync(0);

  beforeEach(() => {
    jest.useFakeTimers();
    producer = new FakeProducer();
    counters = new AnalyticsCounters();
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    buffer?.stop();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  describe("strategy 'time'", () => {
    it('sends everything buffered on each interval and nothing in between', async () => {
      create({ strategy: 'time', intervalMs: 1000, countThreshold: 5 }).start();

      addAll(1, 12);
      await jest.advanceTimersByTimeAsync(999);
      expect(producer.batches).toHaveLength(0);

      await jest.advanceTimersByTimeAsync(1);
      expect(producer.batches).toEqual([ids(1, 12).map((id) => expect.objectContaining({ row: expect.objectContaining({ id }) }))]);
      expect(counters.sent).toBe(12);
      expect(buffer.size).toBe(0);

      addAll(13, 14);
      await jest.advanceTimersByTimeAsync(1000);
      expect(producer.batches).toHaveLength(2);
      expect(producer.sentIds()).toEqual(ids(1, 14));
    });

    it('does not send early when the count threshold is reached', async () => {
      create({ strategy: 'time', intervalMs: 1000, countThreshold: 5 }).start();

      addAll(1, 20);
      await runDeferred();

      expect(producer.batches).toHaveLength(0);
      expect(buffer.size).toBe(20);
    });
  });

  describe("strategy 'count'", () => {
    it('sends once countThreshold records wait, deferred out of the caller', async () => {
      create({ strategy: 'count', intervalMs: 1000, countThreshold: 5 }).start();

      addAll(1, 5);
      expect(producer.batches).toHaveLength(0);

      await runDeferred();
      expect(producer.batches).toHaveLength(1);
      expect(producer.sentIds()).toEqual(ids(1, 5));
      expect(counters.sent).toBe(5);
    });

    it('does not send on the timer below the threshold', async () => {
      create({ strategy: 'count', intervalMs: 1000, countThreshold: 5 }).start();

      addAll(1, 4);
      await jest.advanceTimersByTimeAsync(5000);

      expect(producer.batches).toHaveLength(0);
      expect(buffer.size).toBe(4);
    });

    it('still sends everything on an explicit flush()', async () => {
      create({ strategy: 'count', intervalMs: 1000, countThreshold: 5 });

      addAll(1, 3);
      await buffer.flush();

      expect(producer.sentIds()).toEqual(ids(1, 3));
    });
  });

  describe("strategy 'hybrid'", () => {
    it('sends on the threshold and on the interval', async () => {
      create({ strategy: 'hybrid', intervalMs: 1000, countThreshold: 5 }).start();

      addAll(1, 5);
      await runDeferred();
      expect(producer.batches.map((b) => b.length)).toEqual([5]);

      addAll(6, 8);
      await runDeferred();
      expect(producer.batches).toHaveLength(1);

      await jest.advanceTimersByTimeAsync(1000);
      expect(producer.batches.map((b) => b.length)).toEqual([5, 3]);
      expect(producer.sentIds()).toEqual(ids(1, 8));
      expect(counters.sent).toBe(8);
    });
  });

  describe('overflow', () => {
    const overflowWarnings = () =>
      warn.mock.calls.map(([message]) => String(message)).filter((m) => m.startsWith('Analytics buffer is full'));

    it('drops and counts records past maxBufferSize exactly', () => {
      create({ strategy: 'time', intervalMs: 1000, maxBufferSize: 10 });

      const accepted = Array.from({ length: 25 }, (_, i) => buffer.add(record(i + 1)));

      expect(accepted.filter(Boolean)).toHaveLength(10);
      expect(accepted.slice(0, 10).every(Boolean)).toBe(true);
      expect(accepted.slice(10).some(Boolean)).toBe(false);
      expect(counters.dropped).toBe(15);
      expect(counters.accepted).toBe(25);
      expect(buffer.size).toBe(10);
    });

    it('counts records being sent against the bound', async () => {
      producer.mode = 'manual';
      create({ strategy: 'time', intervalMs: 1000, maxBufferSize: 10 }).start();

      addAll(1, 10);
      await jest.advanceTimersByTimeAsync(1000);
      expect(producer.pending).toBe(1);

      expect(buffer.add(record(11))).toBe(false);
      expect(counters.dropped).toBe(1);
    });

    it('logs one warning per interval, not one per record', async () => {
      producer.failNext = Infinity;
      create({ strategy: 'time', intervalMs: 1000, maxBufferSize: 10 }).start();

      for (let i = 1; i <= 25; i++) buffer.add(record(i));
      expect(overflowWarnings()).toHaveLength(0);

      await jest.advanceTimersByTimeAsync(1000);
      expect(overflowWarnings()).toEqual([
        'Analytics buffer is full (flush.maxBufferSize = 10): 15 record(s) dropped since the last warning. Is Redis reachable?',
      ]);

      await jest.advanceTimersByTimeAsync(1000);
      expect(overflowWarnings()).toHaveLength(1);

      for (let i = 26; i <= 32; i++) buffer.add(record(i));
      await jest.advanceTimersByTimeAsync(1000);
      expect(overflowWarnings()).toHaveLength(2);
      expect(overflowWarnings()[1]).toContain(': 7 record(s) dropped');
      expect(counters.dropped).toBe(22);
    });
  });

  describe('sends in flight', () => {
    it('starts a second send only after the first one has resolved', async () => {
      producer.mode = 'manual';
      create({ strategy: 'hybrid', intervalMs: 1000, countThreshold: 5 }).start();

      addAll(1, 5);
      await runDeferred();
      expect(producer.batches).toHaveLength(1);

      addAll(6, 12);
      const flushed = buffer.flush();
      await jest.advanceTimersByTimeAsync(3000);
      expect(producer.batches).toHaveLength(1);
      expect(producer.inFlight).toBe(1);

      producer.settle();
      await runDeferred();
      expect(producer.batches).toHaveLength(2);
      expect(producer.batches[1].map((r) => r.row.id)).toEqual(ids(6, 12));

      producer.settle();
      await flushed;
      expect(producer.maxInFlight).toBe(1);
      expect(counters.sent).toBe(12);
      expect(buffer.size).toBe(0);
    });

    it('flush() resolves only once the records accepted before it are sent', async () => {
      producer.mode = 'manual';
      create({ strategy: 'time', intervalMs: 1000 });
      addAll(1, 3);

      let resolved = false;
      const flushed = buffer.flush().then(() => {
        resolved = true;
      });
      await runDeferred();
      expect(resolved).toBe(false);

      producer.settle();
      await flushed;
      expect(resolved).toBe(true);
      expect(counters.sent).toBe(3);
    });
  });

  describe('failed sends', () => {
    it('puts the records back in front, in order, and counts the failure', async () => {
      producer.mode = 'manual';
      create({ strategy: 'time', intervalMs: 1000 });

      addAll(1, 4);
      const failed = buffer.flush();
      await runDeferred();
      addAll(5, 6);
      producer.settle(new Error('Redis connection is reconnecting'));
      await failed;

      expect(producer.batches).toHaveLength(1);
      expect(counters.enqueueErrors).toBe(1);
      expect(counters.sent).toBe(0);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('Could not hand 4 record(s) to the queue (Redis connection is reconnecting)'));

      expect(buffer.size).toBe(6);

      producer.mode = 'auto';
      await buffer.flush();

      expect(producer.batches[1].map((r) => r.row.id)).toEqual(ids(1, 6));
      expect(counters.sent).toBe(6);
      expect(counters.enqueueErrors).toBe(1);
      expect(buffer.size).toBe(0);
    });

    it('retries on the next interval', async () => {
      producer.failNext = 2;
      create({ strategy: 'time', intervalMs: 1000 }).start();

      addAll(1, 3);
      await jest.advanceTimersByTimeAsync(3000);

      expect(producer.batches).toHaveLength(3);
      expect(counters.enqueueErrors).toBe(2);
      expect(counters.sent).toBe(3);
      expect(producer.batches[2].map((r) => r.row.id)).toEqual(ids(1, 3));
    });
  });

  it.each([
    [95, 10],
    [100, 10],
    [7, 3],
    [250, 1],
  ])('sends %i records in at most ceil(N/T)+1 batches with countThreshold %i, each once and in order', async (n, threshold) => {
    create({ strategy: 'hybrid', intervalMs: 1000, countThreshold: threshold }).start();

    for (let i = 1; i <= n; i++) {
      buffer.add(record(i));
      await runDeferred();
    }
    await jest.advanceTimersByTimeAsync(1000);

    expect(producer.sentIds()).toEqual(ids(1, n));
    expect(producer.batches.length).toBeLessThanOrEqual(Math.ceil(n / threshold) + 1);
    expect(counters.sent).toBe(n);
  });

  describe('drainTo (shutdown, Redis unreachable)', () => {
    it('hands everything to the writer in batches of the usual size, in order, counting them as buffered meanwhile', async () => {
      create({ strategy: 'time', intervalMs: 1000 });
      addAll(1, 2500);
      const batches: string[][] = [];
      const sizes: number[] = [];

      const written = await buffer.drainTo(async (batch) => {
        sizes.push(buffer.size);
        batches.push(batch.map((r) => (r as BufferedRecord).row.id));
      });

      expect(written).toBe(2500);
      expect(batches.map((b) => b.length)).toEqual([1000, 1000, 500]);
      expect(batches.flat()).toEqual(ids(1, 2500));
      expect(sizes).toEqual([2500, 1500, 500]);
      expect(buffer.size).toBe(0);
      expect(producer.batches).toHaveLength(0);
      expect(counters.sent).toBe(0);
    });

    it('puts the failed batch and the rest back in front, in order, and throws', async () => {
      create({ strategy: 'time', intervalMs: 1000 });
      addAll(1, 1500);
      let calls = 0;

      await expect(
        buffer.drainTo(async () => {
          if (++calls === 2) throw new Error('connection refused');
        }),
      ).rejects.toThrow('connection refused');

      expect(buffer.size).toBe(500);
      await buffer.flush();
      expect(producer.sentIds()).toEqual(ids(1001, 1500));
    });

    it('waits for a send in flight before it takes the records', async () => {
      producer.mode = 'manual';
      create({ strategy: 'time', intervalMs: 1000 });
      addAll(1, 3);
      const flushing = buffer.flush();
      await runDeferred();
      addAll(4, 5);
      const taken: string[] = [];
      const draining = buffer.drainTo(async (batch) => {
        taken.push(...batch.map((r) => (r as BufferedRecord).row.id));
      });
      await runDeferred();
      expect(taken).toEqual([]);

      producer.settle(new Error('Redis connection is reconnecting'));
      await flushing;
      await draining;

      expect(taken).toEqual(ids(1, 5));
      expect(buffer.size).toBe(0);
    });
  });

  it('coalesces records added during a slow send into one batch', async () => {
    producer.mode = 'manual';
    create({ strategy: 'count', intervalMs: 1000, countThreshold: 10 }).start();

    addAll(1, 10);
    await runDeferred();
    addAll(11, 45);
    await runDeferred();
    expect(producer.batches).toHaveLength(1);

    producer.settle();
    await jest.advanceTimersByTimeAsync(JOB_SPACING_MS);
    expect(producer.batches).toHaveLength(2);
    expect(producer.batches[1].map((r) => r.row.id)).toEqual(ids(11, 45));
    producer.settle();
    await runDeferred();
    expect(counters.sent).toBe(45);
  });

  describe('job spacing (jobs grow under load instead of multiplying)', () => {
    it(`sends a count-triggered job ${JOB_SPACING_MS} ms after the previous one at the earliest, with everything waiting`, async () => {
      create({ strategy: 'hybrid', intervalMs: 10_000, countThreshold: 10 }).start();

      addAll(1, 10);
      await runDeferred();
      expect(producer.batches).toHaveLength(1);

      addAll(11, 20);
      await jest.advanceTimersByTimeAsync(JOB_SPACING_MS - 1);
      addAll(21, 45);
      await runDeferred();
      expect(producer.batches).toHaveLength(1);

      await jest.advanceTimersByTimeAsync(1);
      expect(producer.batches.map((b) => b.length)).toEqual([10, 35]);
      expect(producer.sentIds()).toEqual(ids(1, 45));
    });

    it('does not delay a job when the previous one left long enough ago', async () => {
      create({ strategy: 'count', intervalMs: 10_000, countThreshold: 10 }).start();

      addAll(1, 10);
      await runDeferred();
      await jest.advanceTimersByTimeAsync(JOB_SPACING_MS);
      addAll(11, 20);
      await runDeferred();

      expect(producer.batches.map((b) => b.length)).toEqual([10, 10]);
    });

    it('sends a full job (1000 records) at once', async () => {
      create({ strategy: 'count', intervalMs: 10_000, countThreshold: 10 }).start();

      addAll(1, 10);
      await runDeferred();
      addAll(11, 1010);
      await runDeferred();

      expect(producer.batches.map((b) => b.length)).toEqual([10, 1000]);
    });

    it('never holds back an authentication event', async () => {
      create({ strategy: 'count', intervalMs: 10_000, countThreshold: 10 }).start();

      addAll(1, 10);
      await runDeferred();
      addAll(11, 12);
      buffer.addUrgent(record(99));
      await runDeferred();

      expect(producer.batches.map((b) => b.length)).toEqual([10, 3]);
    });

    it('keeps the timer from holding the process open', async () => {
      create({ strategy: 'count', intervalMs: 10_000, countThreshold: 10 }).start();
      const setTimeoutSpy = jest.spyOn(global, 'setTimeout');

      addAll(1, 10);
      await runDeferred();
      addAll(11, 20);

      const spacing = setTimeoutSpy.mock.results.at(-1)?.value as NodeJS.Timeout;
      expect(setTimeoutSpy).toHaveBeenLastCalledWith(expect.any(Function), JOB_SPACING_MS);
      expect(spacing.hasRef()).toBe(false);
      buffer.stop();
      await jest.advanceTimersByTimeAsync(JOB_SPACING_MS);
      expect(producer.batches).toHaveLength(1);
    });
  });

  it('sends, on a timed flush, what was buffered when it started: records arriving meanwhile wait for their own trigger', async () => {
    producer.mode = 'manual';
    create({ strategy: 'hybrid', intervalMs: 1000, countThreshold: 100 }).start();

    addAll(1, 5);
    await jest.advanceTimersByTimeAsync(1000);
    expect(producer.batches).toHaveLength(1);
    addAll(6, 10);
    producer.settle();
    await jest.advanceTimersByTimeAsync(JOB_SPACING_MS);

    // Before, the drain went on while anything was waiting: under steady load it never
    // ended, sending a job per Redis round trip.
    expect(producer.batches).toHaveLength(1);
    expect(buffer.size).toBe(5);
    await jest.advanceTimersByTimeAsync(1000);
    expect(producer.batches.map((b) => b.length)).toEqual([5, 5]);
    producer.settle();
  });

  describe('addUrgent', () => {
    it('sends the record at once, with everything buffered, in one job', async () => {
      create({ strategy: 'time', intervalMs: 1000 });
      addAll(1, 3);

      expect(buffer.addUrgent(record(99))).toBe(true);
      await runDeferred();

      expect(producer.batches).toEqual([[record(1), record(2), record(3), record(99)]]);
      expect(counters.sent).toBe(4);
      expect(buffer.size).toBe(0);
    });

    it('sends right away under the count strategy too, below the threshold', async () => {
      create({ strategy: 'count', countThreshold: 100 });

      buffer.addUrgent(record(99));
      await runDeferred();

      expect(producer.batches).toEqual([[record(99)]]);
    });

    it('keeps the record in the buffer when the send fails', async () => {
      producer.failNext = 1;
      create({ strategy: 'time', intervalMs: 1000 });

      buffer.addUrgent(record(99));
      await runDeferred();

      expect(counters.enqueueErrors).toBe(1);
      expect(buffer.size).toBe(1);
      await buffer.flush();
      expect(producer.batches[1]).toEqual([record(99)]);
    });

    it('is bounded by maxBufferSize too', () => {
      create({ strategy: 'time', intervalMs: 1000, maxBufferSize: 2 });
      addAll(1, 2);

      expect(buffer.addUrgent(record(99))).toBe(false);
      expect(producer.batches).toHaveLength(0);
      expect(counters.dropped).toBe(1);
    });
  });

  describe('timer', () => {
    it('connects the producer and never keeps the process alive', () => {
      jest.useRealTimers();
      create({ strategy: 'hybrid', intervalMs: 60_000 }).start();

      const timer = buffer['timer'];
      expect(timer).not.toBeNull();
      expect(timer!.hasRef()).toBe(false);
      expect(producer.connect).toHaveBeenCalledTimes(1);
    });

    it('stops sending after stop()', async () => {
      create({ strategy: 'time', intervalMs: 1000 }).start();
      addAll(1, 2);

      buffer.stop();
      await jest.advanceTimersByTimeAsync(5000);

      expect(producer.batches).toHaveLength(0);
    });
  });
});

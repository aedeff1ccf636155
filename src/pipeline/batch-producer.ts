import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { v7 as uuidv7 } from 'uuid';
import { ANALYTICS_QUEUE, ANALYTICS_WORKER_THREAD, BATCH_JOB } from '../analytics.constants';
import { messages } from '../analytics.messages';
import type { QueuedRecord } from '../records/record.types';
import { BatchEncoder } from './batch-encoder';
import { RedisClientRegistry } from './redis-client.registry';
import { ThrottledLogger } from './throttled-logger';
import { withTimeout } from './with-timeout';

/** How long one `queue.add()` may take before the batch is put back in the buffer. */
const ENQUEUE_TIMEOUT_MS = 2000;
/** Job ids remembered for `flush({ waitForPersistence })`. */
const TRACKED_JOBS_MAX = 10_000;
const POLL_MS = 25;
/** Jobs checked per pipelined round trip by `waitForPersistence`. */
const CHECK_CHUNK = 500;
/** How long a flush waits for a connection that is being (re)established. */
const CONNECT_GRACE_MS = 500;

/**
 * Hands batches to Bull, one job per batch. Never waits on a dead Redis: when the
 * connection is not ready it refuses at once, and an `add()` that hangs is abandoned
 * after ENQUEUE_TIMEOUT_MS, so the caller keeps the records and retries later.
 */
@Injectable()
export class BatchProducer {
  private readonly logger = new Logger('AnalyticsProducer');
  private readonly throttled = new ThrottledLogger(this.logger);
  /** Jobs sent and not yet known to be finished, oldest first. */
  private readonly unfinished = new Set<string>();

  constructor(
    @InjectQueue(ANALYTICS_QUEUE) private readonly queue: Queue,
    private readonly encoder: BatchEncoder,
    registry: RedisClientRegistry,
    @Inject(ANALYTICS_WORKER_THREAD) inWorkerThread: boolean,
  ) {
    // In the worker thread, the process's own producer reports the same Redis already.
    queue.on('error', (err: Error) => {
      const message = messages.redisError(err.message);
      if (inWorkerThread) this.logger.debug(message);
      else this.throttled.warn('redis', message);
    });
    queue.once('close', () => registry.disconnectAll());
  }

  /** True when a job can be added right now. */
  isReady(): boolean {
    return this.queue.client.status === 'ready';
  }

  /** Adds one job for these records. Rejects quickly if Redis is not reachable. */
  async send(records: QueuedRecord[]): Promise<void> {
    if (!this.isReady() && !(await this.waitUntilReady(CONNECT_GRACE_MS))) {
      throw new Error(messages.redisNotReady(this.queue.client.status));
    }
    const jobId = uuidv7();
    const added = this.queue.add(BATCH_JOB, this.encoder.encode(records), { jobId });
    await withTimeout(added, ENQUEUE_TIMEOUT_MS, messages.enqueueTimeout(ENQUEUE_TIMEOUT_MS));
    this.track(jobId);
  }

  /** Called by an in-process worker when a job is done, so waiting needs no Redis round trip. */
  finished(jobId: string): void {
    this.unfinished.delete(jobId);
  }

  /**
   * Resolves when every job sent so far is persisted (or failed for good), or after
   * `timeoutMs`. Never rejects. Jobs an in-process worker reported are settled without
   * asking Redis. The others are checked oldest first, CHECK_CHUNK jobs per pipelined
   * round trip: the wait is over only once all are finished and workers take the oldest
   * jobs first, so newer ones are asked about once the older ones are done. (Asking about
   * every pending job on each pass made the wait itself a load: with thousands of jobs
   * queued, it took the CPU the in-process worker needed to write them.)
   */
  async waitForPersistence(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let waiting = [...this.unfinished];
    for (;;) {
      waiting = waiting.filter((id) => this.unfinished.has(id));
      const oldest = waiting.slice(0, CHECK_CHUNK);
      const done = await this.finishedInRedis(oldest);
      const finished = new Set(oldest.filter((_, i) => done[i]));
      for (const id of finished) this.unfinished.delete(id);
      if (finished.size > 0) waiting = waiting.filter((id) => !finished.has(id));
      if (waiting.length === 0) return true;
      if (Date.now() >= deadline) {
        this.logger.warn(messages.persistenceTimeout(timeoutMs, waiting.length));
        return false;
      }
      // All of the oldest were done: ask about the next ones at once.
      if (finished.size < oldest.length) await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** Opens the producer connection (Bull creates it lazily) so the first flush finds it ready. */
  connect(): void {
    void this.queue.client;
  }

  private waitUntilReady(ms: number): Promise<boolean> {
    const client = this.queue.client;
    if (client.status === 'end') return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ready: boolean) => {
        clearTimeout(timer);
        client.off('ready', onReady);
        resolve(ready);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(client.status === 'ready'), ms);
      client.once('ready', onReady);
    });
  }

  /**
   * For each job: finished for good? That is written and removed (`removeOnComplete`),
   * completed, or in the failed set. False for all when Redis cannot answer.
   */
  private async finishedInRedis(jobIds: string[]): Promise<boolean[]> {
    const done: boolean[] = [];
    if (jobIds.length === 0 || !this.isReady()) return jobIds.map(() => false);
    const queue = this.queue as Queue & BullKeys;
    try {
      for (let start = 0; start < jobIds.length; start += CHECK_CHUNK) {
        const chunk = jobIds.slice(start, start + CHECK_CHUNK);
        const pipeline = queue.client.pipeline();
        for (const id of chunk) {
          pipeline.hmget(queue.toKey(id), 'attemptsMade', 'opts');
          pipeline.zscore(queue.keys.completed, id);
          pipeline.zscore(queue.keys.failed, id);
        }
        // A cluster that goes down meanwhile would hold the commands until it is back.
        const replies = (await withTimeout(pipeline.exec(), ENQUEUE_TIMEOUT_MS, 'the persistence check timed out')) ?? [];
        chunk.forEach((_, i) => done.push(finishedFor(replies.slice(i * 3, i * 3 + 3))));
      }
      return done;
    } catch {
      return jobIds.map((_, i) => done[i] ?? false);
    }
  }

  private track(jobId: string): void {
    this.unfinished.add(jobId);
    if (this.unfinished.size > TRACKED_JOBS_MAX) {
      const oldest = this.unfinished.values().next().value;
      if (oldest !== undefined) this.unfinished.delete(oldest);
    }
  }
}

/** The parts of a Bull queue that name its Redis keys (not in Bull's typings). */
interface BullKeys {
  toKey(jobId: string): string;
  keys: { completed: string; failed: string };
}

type PipelineReply = [Error | null, unknown];

/** Whether one job is finished for good, from its [HMGET attemptsMade opts, ZSCORE completed, ZSCORE failed] replies. */
export function finishedFor([hash, completed, failed]: PipelineReply[]): boolean {
  if (!hash || !completed || !failed || hash[0] || completed[0] || failed[0]) return false;
  const [attemptsMade, opts] = hash[1] as [string | null, string | null];
  if (attemptsMade === null && opts === null) return true; // removed on completion
  // Bull moves a job to the failed set only for good: its attempts spent, or stalled more
  // often than allowed (which counts no attempt); a job still to be retried waits in `delayed`.
  return completed[1] !== null || failed[1] !== null;
}

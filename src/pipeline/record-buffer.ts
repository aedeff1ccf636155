import { Inject, Injectable, Logger } from '@nestjs/common';
import { ANALYTICS_MODULE_OPTIONS } from '../analytics.constants';
import { messages } from '../analytics.messages';
import type { ResolvedAnalyticsOptions } from '../options/analytics-options.schema';
import type { BufferedRecord, QueuedRecord } from '../records/record.types';
import { AnalyticsCounters } from './analytics-counters';
import { BatchProducer } from './batch-producer';
import { ThrottledLogger } from './throttled-logger';

/** Records per job at least; a count-triggered flush sends `countThreshold` or more. */
const MIN_BATCH = 1000;
/**
 * A count-triggered job leaves at least this long after the previous one, unless it is
 * full (`maxBatch` records) or carries an authentication event. Below
 * `countThreshold / JOB_SPACING_MS` records per second (2,000/s with the defaults) this
 * never delays anything; above it, jobs grow instead of multiplying: every job costs the
 * worker, Redis and PostgreSQL about the same whatever its size (see BENCHMARKS.md).
 */
export const JOB_SPACING_MS = 50;

/**
 * The in-memory buffer between capture and the queue.
 *
 * - `time`: everything buffered is sent every `intervalMs`;
 * - `count`: a batch is sent whenever `countThreshold` records are waiting;
 * - `hybrid`: both.
 *
 * Bounded by `maxBufferSize` (records in memory plus records being sent): past it new
 * records are dropped and counted, with one warning per interval. One flush is in
 * flight at a time; the timer never keeps the process alive.
 */
@Injectable()
export class RecordBuffer {
  private readonly logger = new Logger('AnalyticsBuffer');
  private readonly throttled: ThrottledLogger;
  private records: QueuedRecord[] = [];
  /** Records out of the buffer but not yet confirmed by Redis. */
  private sending = 0;
  private inFlight: Promise<void> | null = null;
  private scheduled: NodeJS.Immediate | null = null;
  /** A count-triggered drain waiting for JOB_SPACING_MS to pass since the last job. */
  private spaced: NodeJS.Timeout | null = null;
  /** When the last job was handed to the queue (`performance.now()`). */
  private lastJobAt = -Infinity;
  /** A record that must leave at once is waiting: the next scheduled drain sends everything. */
  private urgent = false;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private droppedSinceWarning = 0;
  private readonly maxBatch: number;

  constructor(
    @Inject(ANALYTICS_MODULE_OPTIONS) private readonly options: ResolvedAnalyticsOptions,
    private readonly producer: BatchProducer,
    private readonly counters: AnalyticsCounters,
  ) {
    this.throttled = new ThrottledLogger(this.logger, options.flush.intervalMs);
    this.maxBatch = Math.max(options.flush.countThreshold, MIN_BATCH);
  }

  get size(): number {
    return this.records.length + this.sending;
  }

  /** Starts the flush timer (unref'd: it never keeps the process alive). */
  start(): void {
    if (this.timer) return;
    this.producer.connect();
    this.timer = setInterval(() => this.tick(), this.options.flush.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.scheduled) clearImmediate(this.scheduled);
    if (this.spaced) clearTimeout(this.spaced);
    this.timer = null;
    this.scheduled = null;
    this.spaced = null;
  }

  /** After the final shutdown drain: every record from now on is dropped, counted and logged. */
  close(): void {
    this.stop();
    this.closed = true;
  }

  /** Accepts one record; returns false (and counts it) when the buffer is full or closed. */
  add(record: QueuedRecord): boolean {
    if (!this.admit()) return false;
    this.records.push(record);
    if (this.options.flush.strategy !== 'time' && this.records.length >= this.options.flush.countThreshold) {
      this.schedule();
    }
    return true;
  }

  /**
   * Accepts a record that must leave at once (auth events): everything buffered is sent
   * with it in one job, on the next turn of the event loop, whatever the flush strategy.
   */
  addUrgent(record: BufferedRecord): boolean {
    if (!this.admit()) return false;
    this.records.push(record);
    this.urgent = true;
    this.schedule();
    return true;
  }

  /**
   * Sends everything buffered now. Resolves when every record accepted before the call
   * was handed to the queue, or when Redis refused (records stay buffered).
   */
  flush(): Promise<void> {
    return this.run(true);
  }

  /**
   * Like `flush()`, retrying until the buffer is empty or the deadline passes. After each
   * attempt that left records behind, `fallback` (if given) may take them another way.
   */
  async flushUntil(deadline: number, fallback?: () => Promise<void>): Promise<boolean> {
    for (;;) {
      await this.flush();
      if (this.size === 0) return true;
      if (fallback) {
        await fallback();
        if (this.size === 0) return true;
      }
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Hands everything buffered to `write` instead of the queue, in batches of the usual size
   * (shutdown uses it to write straight to PostgreSQL when Redis is unreachable). Records
   * count as buffered until their batch is written; when a batch fails, it and the rest go
   * back in front, in order, and the error is thrown.
   *
   * @returns how many records were written.
   */
  async drainTo(write: (batch: QueuedRecord[]) => Promise<void>): Promise<number> {
    if (this.inFlight) await this.inFlight;
    let written = 0;
    await this.inBatches(Infinity, async (batch) => {
      await write(batch);
      written += batch.length;
    });
    return written;
  }

  private admit(): boolean {
    this.counters.accepted++;
    if (this.closed) {
      this.counters.dropped++;
      this.throttled.warn('closed', messages.recordAfterShutdown());
      return false;
    }
    if (this.size < this.options.flush.maxBufferSize) return true;
    this.counters.dropped++;
    this.droppedSinceWarning++;
    return false;
  }

  /**
   * Deferred so that serialising a batch never runs inside the caller's request; a
   * count-triggered drain also waits until JOB_SPACING_MS have passed since the last job.
   */
  private schedule(): void {
    if (this.scheduled) return;
    const full = this.urgent || this.records.length >= this.maxBatch;
    if (this.spaced && !full) return;
    const wait = full ? 0 : this.lastJobAt + JOB_SPACING_MS - performance.now();
    if (wait > 0) {
      this.spaced = setTimeout(this.fire, wait);
      this.spaced.unref();
      return;
    }
    if (this.spaced) clearTimeout(this.spaced);
    this.spaced = null;
    this.scheduled = setImmediate(this.fire);
  }

  private readonly fire = (): void => {
    this.scheduled = null;
    this.spaced = null;
    const all = this.urgent;
    this.urgent = false;
    void this.run(all);
  };

  private tick(): void {
    if (this.droppedSinceWarning > 0) {
      this.logger.warn(messages.bufferOverflow(this.droppedSinceWarning, this.options.flush.maxBufferSize));
      this.droppedSinceWarning = 0;
    }
    void this.run(this.options.flush.strategy !== 'count');
  }

  /** One drain at a time; a caller that finds one running waits for it, then runs its own. */
  private run(all: boolean): Promise<void> {
    if (this.inFlight) {
      return all ? this.inFlight.then(() => this.run(true)) : this.inFlight;
    }
    const current = this.drain(all).finally(() => {
      this.inFlight = null;
    });
    this.inFlight = current;
    return current;
  }

  /**
   * `all`: sends what is buffered when the drain starts; otherwise one batch, if at least
   * `countThreshold` records wait. Records that arrive meanwhile wait for their own
   * trigger (scheduled again at the end): chasing them under steady load sent a job per
   * Redis round trip, each a fraction of the threshold.
   */
  private async drain(all: boolean): Promise<void> {
    const { strategy, countThreshold } = this.options.flush;
    const due = all ? this.records.length : this.records.length >= countThreshold ? 1 : 0;
    try {
      await this.inBatches(due, async (batch) => {
        this.lastJobAt = performance.now();
        try {
          await this.producer.send(batch);
        } catch (err) {
          this.counters.enqueueErrors++;
          this.throttled.warn('enqueue', messages.enqueueFailed(batch.length, (err as Error).message));
          throw err;
        }
        this.counters.sent += batch.length;
      });
    } catch {
      return; // counted and logged above; the records wait for the next trigger
    }
    if (strategy !== 'time' && this.records.length >= countThreshold) this.schedule();
  }

  /**
   * Takes batches of up to `maxBatch` records off the front until `due` records were
   * taken (the last batch may take more) or none is left, and hands each to `take`. A
   * batch counts as buffered until `take` resolves; when it rejects, the batch goes back
   * in front, in order (its records were already counted as accepted), and the error is
   * thrown.
   */
  private async inBatches(due: number, take: (batch: QueuedRecord[]) => Promise<void>): Promise<void> {
    while (due > 0 && this.records.length > 0) {
      const batch = this.records.splice(0, this.maxBatch);
      due -= batch.length;
      this.sending += batch.length;
      try {
        await take(batch);
      } catch (err) {
        this.records = batch.concat(this.records);
        throw err;
      } finally {
        this.sending -= batch.length;
      }
    }
  }
}

import { Inject, Injectable, Logger, LogLevel } from '@nestjs/common';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ANALYTICS_MODULE_OPTIONS } from '../../analytics.constants';
import { messages } from '../../analytics.messages';
import type { ResolvedAnalyticsOptions } from '../../options/analytics-options.schema';
import { BatchOutcomes } from '../batch-outcomes';
import { BatchProcessor } from '../batch-processor';
import { HostMessage, ThreadData, ThreadMessage, threadOptions } from './worker-thread.protocol';

/** The thread's entry, next to this file: `.js` when built, `.ts` when run from source (tests). */
const ENTRY = join(__dirname, `worker-thread.main${extname(__filename)}`);

/**
 * Runs this process's worker in a worker thread (`worker.thread`, on by default), so the
 * writes of batches — JSON parsing, COPY encoding, pg — never hold the API's event loop.
 *
 * The thread reports each batch's outcome here (counted in this process's `stats()`) and
 * logs through this process's logger. If it cannot start, or stops unexpectedly, the worker
 * runs on the main thread from then on: the batches it held are taken up again by Bull's
 * stalled-job check, so nothing is lost.
 */
@Injectable()
export class WorkerThreadHost {
  private readonly logger = new Logger('AnalyticsWorker');
  private worker: Worker | null = null;
  private stopping: Promise<void> | null = null;

  constructor(
    @Inject(ANALYTICS_MODULE_OPTIONS) private readonly options: ResolvedAnalyticsOptions,
    private readonly outcomes: BatchOutcomes,
    private readonly processor: BatchProcessor,
  ) {}

  /** Whether the worker runs in a thread now. */
  get running(): boolean {
    return this.worker !== null;
  }

  /** Starts the worker: in a thread when `worker.thread` allows it, else on this thread. */
  start(): void {
    if (this.options.worker.thread) {
      try {
        this.worker = this.spawn();
        return;
      } catch (err) {
        this.logger.warn(messages.workerThreadUnavailable((err as Error).message));
      }
    }
    this.processor.start();
  }

  /**
   * Closes the thread: it lets the batches being written finish, closes its queue and
   * DataSource and exits; after `timeoutMs` it is terminated (a batch cut short is
   * retried by Bull, and a replay stores nothing twice).
   */
  stop(timeoutMs: number): Promise<void> {
    const worker = this.worker;
    if (!worker) return Promise.resolve();
    this.stopping ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => void worker.terminate(), timeoutMs);
      worker.once('exit', () => {
        clearTimeout(timer);
        this.worker = null;
        resolve();
      });
      worker.postMessage({ kind: 'close' } satisfies HostMessage);
    });
    return this.stopping;
  }

  private spawn(): Worker {
    const data: ThreadData = { options: threadOptions(this.options) };
    const worker = ENTRY.endsWith('.ts') ? fromSource(ENTRY, data) : new Worker(ENTRY, { workerData: data });
    worker.on('message', (message: ThreadMessage) => this.onMessage(message));
    worker.on('error', (err: Error) => this.logger.error(messages.workerThreadFailed(err.stack ?? err.message)));
    worker.on('exit', (code) => {
      if (this.stopping) return;
      this.worker = null;
      this.fallBack(`it exited with code ${code}`);
    });
    return worker;
  }

  private onMessage(message: ThreadMessage): void {
    switch (message.kind) {
      case 'batch':
        if (message.outcome === 'persisted') this.outcomes.persisted(message.jobId, message.rows);
        else this.outcomes.failed(message.jobId, message.rows, message.stored);
        return;
      case 'log':
        forwardLog(message.level, message.message, message.params);
        return;
      case 'failed':
        this.logger.error(messages.workerThreadFailed(message.message));
        return;
      default:
        return;
    }
  }

  /** The thread is gone while the app runs (its one `exit`): the worker goes on here. */
  private fallBack(reason: string): void {
    this.logger.error(messages.workerThreadStopped(reason));
    this.processor.start();
  }
}

/** Source runs (tests, ts-node) start the thread's TypeScript entry through ts-node. */
function fromSource(entry: string, workerData: ThreadData): Worker {
  const register = require.resolve('ts-node/register/transpile-only');
  const code = `require(${JSON.stringify(register)}); require(${JSON.stringify(entry)});`;
  return new Worker(code, { eval: true, workerData });
}

/** A thread's log line, printed by this process's logger (the app's, with its levels). */
function forwardLog(level: LogLevel, message: string, params: Array<string | undefined>): void {
  (Logger[level] as (message: string, ...params: Array<string | undefined>) => void)(message, ...params);
}

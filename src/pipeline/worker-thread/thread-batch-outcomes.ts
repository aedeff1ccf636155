import { Injectable } from '@nestjs/common';
import { parentPort } from 'node:worker_threads';
import type { BatchOutcomes } from '../batch-outcomes';
import type { ThreadMessage } from './worker-thread.protocol';

/**
 * BatchOutcomes inside a worker thread: the counts belong to the process that runs the
 * thread (its `stats()`), so each outcome is posted there.
 */
@Injectable()
export class ThreadBatchOutcomes implements Pick<BatchOutcomes, 'persisted' | 'failed'> {
  persisted(jobId: string, rows: number): void {
    this.post({ kind: 'batch', outcome: 'persisted', jobId, rows });
  }

  failed(jobId: string, rows: number, stored = 0): void {
    this.post({ kind: 'batch', outcome: 'failed', jobId, rows, stored });
  }

  private post(message: ThreadMessage): void {
    parentPort?.postMessage(message);
  }
}

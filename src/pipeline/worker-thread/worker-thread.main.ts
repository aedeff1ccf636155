/**
 * Entry point of the worker thread started by WorkerThreadHost: a Nest application
 * context holding AnalyticsModule with the worker on (and nothing else), whose batch
 * outcomes and log lines are posted to the process. On `close` it closes the context
 * (Bull lets the batches being written finish) and exits.
 */
import { NestFactory } from '@nestjs/core';
import { parentPort, workerData } from 'node:worker_threads';
import { AnalyticsModule } from '../../analytics.module';
import { ThreadLogger } from './thread-logger';
import type { HostMessage, ThreadData, ThreadMessage } from './worker-thread.protocol';

async function run(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('worker-thread.main must run in a worker thread');
  const post = (message: ThreadMessage) => port.postMessage(message);
  const { options } = workerData as ThreadData;
  try {
    const app = await NestFactory.createApplicationContext(AnalyticsModule.forWorkerThread(options), {
      logger: new ThreadLogger(post),
      abortOnError: false,
    });
    port.on('message', (message: HostMessage) => {
      if (message.kind !== 'close') return;
      app
        .close()
        .catch((err: Error) => post({ kind: 'log', level: 'error', message: err.message, params: ['AnalyticsWorker'] }))
        .finally(() => {
          post({ kind: 'closed' });
          process.exit(0);
        });
    });
  } catch (err) {
    post({ kind: 'failed', message: (err as Error).stack ?? String(err) });
    process.exit(1);
  }
}

void run();

import { Module } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BenchController, main, startHttpApp } from './bench-app';

/**
 * A yardstick, not an alternative: the `finish` middleware of calibration-finish.ts, also
 * running the rest of the request inside `AsyncLocalStorage.run()` — what carrying a
 * request context costs by itself on this Node version (on Node 20, a promise hook for
 * every promise of the process).
 */
@Module({ controllers: [BenchController] })
class CalibrationModule {}

const storage = new AsyncLocalStorage<{ startedAt: number }>();
let finished = 0;
function listenForFinishInContext(_req: IncomingMessage, res: ServerResponse, next: () => void): void {
  res.on('finish', () => finished++);
  storage.run({ startedAt: performance.now() }, next);
}

main(() => startHttpApp(CalibrationModule, { configure: (app) => app.use(listenForFinishInContext) }));

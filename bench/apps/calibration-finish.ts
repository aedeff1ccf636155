import { Module } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BenchController, main, startHttpApp } from './bench-app';

/**
 * A yardstick, not an alternative: bare NestJS plus one plain `app.use()` middleware that
 * only listens for the response's `finish` — the cheapest way to see every response on
 * Express (the issue measured it at 0.985 of bare).
 */
@Module({ controllers: [BenchController] })
class CalibrationModule {}

let finished = 0;
function listenForFinish(_req: IncomingMessage, res: ServerResponse, next: () => void): void {
  res.on('finish', () => finished++);
  next();
}

main(() => startHttpApp(CalibrationModule, { configure: (app) => app.use(listenForFinish) }));

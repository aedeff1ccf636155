import { Module } from '@nestjs/common';
import { Logger, LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { BenchController, env, main, startHttpApp } from './bench-app';

/**
 * nestjs-pino's "Asynchronous logging" setup from its README (the same as pino's
 * docs/asynchronous.md): a SonicBoom file destination that buffers lines in memory and
 * writes them in chunks of at least 4 KiB without blocking the event loop. The README's
 * alternative, a `transport`, moves only the file writes to a worker thread (lines are
 * still serialised on the main thread) and adds a thread to a 2-core machine; for a plain
 * file the destination is what both projects show. The cost of `sync: false` is that the
 * last buffered lines are lost on a crash (pino flushes them on a normal exit).
 */
const destination = pino.destination({ dest: env.logFile, minLength: 4096, sync: false });

/** Request logging only: pino-http writes one line per response, with `req.url`. */
@Module({
  imports: [LoggerModule.forRoot({ pinoHttp: { stream: destination } })],
  controllers: [BenchController],
})
class PinoFileModule {}

main(() =>
  startHttpApp(PinoFileModule, {
    logger: Logger,
    hooks: {
      // Everything buffered reaches the file before the runner counts its lines.
      flush: () => new Promise((resolve, reject) => destination.flush((err) => (err ? reject(err) : resolve({})))),
    },
  }),
);

import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AsyncLocalStorage } from 'node:async_hooks';
import { BenchController, main, startHttpApp } from './bench-app';

/**
 * A yardstick on Fastify, not an alternative: the hooks request tracking uses on Fastify
 * (`onRequest` running the rest of the request inside `AsyncLocalStorage.run()`,
 * `preHandler` entering it again, `onResponse`), doing nothing else — what carrying a
 * request context costs by itself there. Compare with bare-fastify.
 */
@Module({ controllers: [BenchController] })
class CalibrationFastifyModule {}

const storage = new AsyncLocalStorage<{ startedAt: number }>();
const contexts = new WeakMap<object, { startedAt: number }>();

main(() =>
  startHttpApp(CalibrationFastifyModule, {
    fastify: true,
    configure: (app) => {
      const fastify = (app as NestFastifyApplication).getHttpAdapter().getInstance();
      fastify.addHook('onRequest', (request, _reply, done) => {
        const context = { startedAt: performance.now() };
        contexts.set(request, context);
        storage.run(context, done);
      });
      fastify.addHook('preHandler', (request, _reply, done) => {
        const context = contexts.get(request);
        return context === undefined ? done() : storage.run(context, done);
      });
      fastify.addHook('onResponse', (request, _reply, done) => {
        contexts.delete(request);
        done();
      });
    },
  }),
);

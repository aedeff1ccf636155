import { BullModule, getQueueToken, InjectQueue } from '@nestjs/bull';
import { CallHandler, ExecutionContext, Injectable, Module, NestInterceptor } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { Queue } from 'bull';
import { from, mergeMap, Observable } from 'rxjs';
import { BenchController, env, main, startHttpApp } from './bench-app';

/** What many apps do instead of a library: await Bull's queue.add per request (a worker elsewhere writes). */
@Injectable()
export class QueueLogInterceptor implements NestInterceptor {
  constructor(@InjectQueue(env.queueName) private readonly queue: Queue) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const started = Date.now();
    const http = context.switchToHttp();
    const req = http.getRequest();
    return next.handle().pipe(
      mergeMap((body) =>
        from(
          this.queue
            .add({
              method: req.method,
              path: req.url,
              statusCode: http.getResponse().statusCode,
              responseTimeMs: Date.now() - started,
              userAgent: req.headers['user-agent'] ?? null,
              at: new Date().toISOString(),
            })
            .then(() => body),
        ),
      ),
    );
  }
}

@Module({
  imports: [BullModule.forRoot({ redis: env.redisUrl }), BullModule.registerQueue({ name: env.queueName })],
  controllers: [BenchController],
  providers: [{ provide: APP_INTERCEPTOR, useClass: QueueLogInterceptor }],
})
class InterceptorBullModule {}

main(() =>
  startHttpApp(InterceptorBullModule, {
    hooks: {
      // No consumer: the jobs waiting in Redis are what was "persisted".
      flush: async (app) => ({ jobs: await app.get<Queue>(getQueueToken(env.queueName)).count() }),
    },
  }),
);

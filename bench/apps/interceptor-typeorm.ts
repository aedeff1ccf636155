import { CallHandler, ExecutionContext, Injectable, Module, NestInterceptor } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { from, mergeMap, Observable } from 'rxjs';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Repository } from 'typeorm';
import { BenchController, env, main, startHttpApp } from './bench-app';

/** One row per request, written by the hand-rolled interceptor. */
@Entity({ name: 'request_logs' })
export class RequestLog {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() method: string;
  @Column() path: string;
  @Column({ name: 'status_code', type: 'int' }) statusCode: number;
  @Column({ name: 'response_time_ms', type: 'int' }) responseTimeMs: number;
  @Column({ name: 'user_agent', type: 'text', nullable: true }) userAgent: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/** What many apps do instead of a library: await a TypeORM insert per request. */
@Injectable()
export class RequestLogInterceptor implements NestInterceptor {
  constructor(@InjectRepository(RequestLog) private readonly logs: Repository<RequestLog>) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const started = Date.now();
    const http = context.switchToHttp();
    const req = http.getRequest();
    return next.handle().pipe(
      mergeMap((body) =>
        from(
          this.logs
            .insert({
              method: req.method,
              path: req.url,
              statusCode: http.getResponse().statusCode,
              responseTimeMs: Date.now() - started,
              userAgent: req.headers['user-agent'] ?? null,
            })
            .then(() => body),
        ),
      ),
    );
  }
}

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: env.databaseUrl,
      schema: env.schema,
      entities: [RequestLog],
      synchronize: true,
      logging: false,
    }),
    TypeOrmModule.forFeature([RequestLog]),
  ],
  controllers: [BenchController],
  providers: [{ provide: APP_INTERCEPTOR, useClass: RequestLogInterceptor }],
})
class InterceptorTypeormModule {}

main(() => startHttpApp(InterceptorTypeormModule));

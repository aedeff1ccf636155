import { Module, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { AnalyticsModule } from '../index';
import { AiModule } from './ai/ai.module';
import { AuthModule } from './auth/auth.module';
import { DEMO_FLUSH_INTERVAL_MS, DEMO_HASH_KEY, DEMO_QUEUE, DEMO_SCHEMA } from './demo.constants';
import { HealthController } from './ops/health.controller';
import { StatsController } from './ops/stats.controller';
import { ProjectsModule } from './projects/projects.module';

@Module({
  imports: [
    // Database and Redis URLs come from ANALYTICS_DATABASE_URL / ANALYTICS_REDIS_URL or the defaults.
    AnalyticsModule.forRoot({
      database: { schema: DEMO_SCHEMA },
      queueName: DEMO_QUEUE,
      flush: { intervalMs: DEMO_FLUSH_INTERVAL_MS },
      hashKey: process.env.ANALYTICS_HASH_KEY || DEMO_HASH_KEY,
    }),
    AuthModule,
    ProjectsModule,
    AiModule,
  ],
  controllers: [HealthController, StatsController],
  providers: [
    {
      provide: APP_PIPE,
      useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
    },
  ],
})
export class AppModule {}

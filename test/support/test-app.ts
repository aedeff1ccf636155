import { INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AnalyticsModule, AnalyticsModuleOptions, AuditService } from '../../src';
import { DATABASE_URL, REDIS_URL } from './test-names';

/** Options for a spec: its own schema and queue, a short flush interval, quick retries. */
export function testOptions(
  names: { schema: string; queueName: string },
  overrides: AnalyticsModuleOptions = {},
): AnalyticsModuleOptions {
  return {
    ...overrides,
    database: { url: DATABASE_URL, schema: names.schema, ...overrides.database },
    redis: overrides.redis?.cluster ? overrides.redis : { url: REDIS_URL, ...overrides.redis },
    queueName: names.queueName,
    flush: { intervalMs: 200, ...overrides.flush },
    worker: { backoffMs: 100, ...overrides.worker },
  };
}

/** Boots a Nest application context with only AnalyticsModule.forRoot(options). */
export async function bootAnalytics(options: AnalyticsModuleOptions): Promise<{ app: INestApplication; audit: AuditService }> {
  @Module({ imports: [AnalyticsModule.forRoot(options)] })
  class TestAppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [TestAppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  await app.init();
  return { app, audit: app.get(AuditService) };
}

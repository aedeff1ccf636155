import { Controller, Get, Injectable, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  AnalyticsModule,
  AnalyticsModuleOptions,
  AnalyticsOptionsError,
  AnalyticsOptionsFactory,
  AnalyticsTestingModule,
  Audited,
  AuditService,
  TrackExternal,
} from '../src';
import { testOptions } from './support/test-app';
import { useSpecResources } from './support/test-database';
import { uniqueNames } from './support/test-names';

/** A config provider as apps write them (ConfigService-like), living in its own module. */
@Injectable()
class AppConfig {
  constructor(readonly values: AnalyticsModuleOptions) {}
}

function configModule(values: AnalyticsModuleOptions) {
  @Module({ providers: [{ provide: AppConfig, useValue: new AppConfig(values) }], exports: [AppConfig] })
  class ConfigModule {}
  return ConfigModule;
}

type Registration = (options: AnalyticsModuleOptions) => { imports: any[] };

const registrations: Array<[string, Registration]> = [
  ['forRoot', (o) => ({ imports: [AnalyticsModule.forRoot(o)] })],
  [
    'forRootAsync({ useFactory, inject, imports })',
    (o) => {
      const ConfigModule = configModule(o);
      return {
        imports: [
          AnalyticsModule.forRootAsync({
            imports: [ConfigModule],
            inject: [AppConfig],
            useFactory: async (config: AppConfig) => config.values,
          }),
        ],
      };
    },
  ],
  [
    'forRootAsync({ useClass })',
    (o) => {
      @Injectable()
      class OptionsFactory implements AnalyticsOptionsFactory {
        createAnalyticsOptions() {
          return o;
        }
      }
      return { imports: [AnalyticsModule.forRootAsync({ useClass: OptionsFactory })] };
    },
  ],
  [
    'forRootAsync({ useExisting, imports })',
    (o) => {
      @Injectable()
      class ExistingFactory implements AnalyticsOptionsFactory {
        createAnalyticsOptions() {
          return o;
        }
      }
      @Module({ providers: [ExistingFactory], exports: [ExistingFactory] })
      class FactoryModule {}
      return { imports: [AnalyticsModule.forRootAsync({ imports: [FactoryModule], useExisting: ExistingFactory })] };
    },
  ],
];

describe.each(registrations)('AnalyticsModule.%s', (label, register) => {
  const names = uniqueNames(label.replace(/[^a-z]/gi, '').slice(0, 20));
  const db = useSpecResources(names);

  it('boots, creates the schema and persists AuditService records within the flush interval', async () => {
    @Module(register(testOptions(names)))
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
    try {
      const audit = app.get(AuditService);
      const id = audit.logUserAction('user-1', 'config.check', label);
      // No explicit flush: the 200 ms timer must deliver it.
      await db.waitForRows('audit_logs', 1);
      const [row] = await db.rows('audit_logs', 'id = $1', [id]);
      expect(row).toMatchObject({ action: 'config.check', message: label, user_id: 'user-1' });
    } finally {
      await app.close();
    }
  });

  it('refuses a bad option at start-up, naming the option, the value and the rule', async () => {
    @Module(register(testOptions(names, { flush: { intervalMs: -5 } })))
    class BadModule {}
    const moduleRef = await Test.createTestingModule({ imports: [BadModule] })
      .compile()
      .catch((err: unknown) => err);
    expect(moduleRef).toBeInstanceOf(AnalyticsOptionsError);
    expect((moduleRef as Error).message).toContain('flush.intervalMs must be a positive integer, got -5');
  });
});

describe('AnalyticsModule imported twice', () => {
  it('warns that each import runs its own pipeline', async () => {
    // The in-memory module has the same explorer; two real pipelines would also hold two pools open.
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    @Module({ imports: [AnalyticsTestingModule.forRoot()] })
    class FeatureA {}
    @Module({ imports: [AnalyticsTestingModule.forRoot()] })
    class FeatureB {}
    const app = (await Test.createTestingModule({ imports: [FeatureA, FeatureB] }).compile()).createNestApplication({ logger: false });
    try {
      await app.init();
      const warnings = warn.mock.calls.map((call) => String(call[0])).filter((m) => m.startsWith('AnalyticsModule is imported'));
      expect(warnings).toEqual([expect.stringContaining('AnalyticsModule is imported 2 times')]);
    } finally {
      warn.mockRestore();
      await app.close();
    }
  });
});

describe('AnalyticsModule with enabled: false', () => {
  it('starts without touching PostgreSQL or Redis and records nothing', async () => {
    const names = uniqueNames('disabled');
    const moduleRef = await Test.createTestingModule({
      imports: [
        AnalyticsModule.forRoot({
          enabled: false,
          database: { url: 'postgres://postgres@127.0.0.1:1/none', schema: names.schema },
          redis: { url: 'redis://127.0.0.1:1' },
          queueName: names.queueName,
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const audit = app.get(AuditService);
    expect(audit.log({ action: 'noop' })).toMatch(/^[0-9a-f-]{36}$/);
    await audit.flush({ waitForPersistence: true, timeoutMs: 500 });
    expect(audit.stats()).toMatchObject({ buffered: 0, sent: 0, skipped: 1 });
    await app.close();
  });

  it('records nothing from decorated HTTP handlers either (their interceptor stands aside)', async () => {
    @Controller('disabled')
    class DisabledController {
      @Get()
      @Audited({ action: 'disabled.read' })
      @TrackExternal('billing')
      read() {
        return { ok: true };
      }
    }
    const names = uniqueNames('disabled_http');
    const moduleRef = await Test.createTestingModule({
      imports: [AnalyticsModule.forRoot({ enabled: false, database: { schema: names.schema }, queueName: names.queueName })],
      controllers: [DisabledController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    await request(app.getHttpServer()).get('/disabled').expect(200, { ok: true });
    expect(app.get(AuditService).stats()).toMatchObject({ accepted: 0, buffered: 0, dropped: 0 });
    await app.close();
  });
});

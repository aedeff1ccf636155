import { Controller, Get, INestApplication, Injectable, Logger, Module, Param, Scope } from '@nestjs/common';
import { ClientProxy, ClientsModule, MessagePattern, Transport } from '@nestjs/microservices';
import { ContextIdFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { first, firstValueFrom, interval, map, Observable, of, Subject, take, toArray } from 'rxjs';
import {
  AnalyticsModule,
  AnalyticsTestingModule,
  AnalyticsTestingStore,
  Audited,
  AuditService,
  runWithAnalyticsContext,
  TrackExternal,
} from '../src';
import { TcpProxy } from './support/tcp-proxy';
import { testOptions } from './support/test-app';
import { TestDatabase } from './support/test-database';
import { uniqueNames } from './support/test-names';
import { obliterateAndClose, openQueue } from './support/test-queue';

const openAiChat = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 2000, completion_tokens: 500, total_tokens: 2500, prompt_tokens_details: { cached_tokens: 1000 } },
};
const anthropicMessage = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-20250514',
  content: [{ type: 'text', text: 'hi' }],
  usage: { input_tokens: 100, output_tokens: 40, cache_read_input_tokens: 900, cache_creation_input_tokens: 0 },
};

@Injectable()
class LlmClients {
  calls = 0;

  @TrackExternal('openai', { endpoint: '/v1/chat/completions' })
  async chat(_: { model: string; messages: unknown[] }) {
    this.calls++;
    return openAiChat;
  }

  @TrackExternal('anthropic', { endpoint: '/v1/messages' })
  async message(_: { model: string }) {
    return anthropicMessage;
  }

  @TrackExternal('gemini', { model: 'gemini-2.5-pro' })
  async quotaExceeded(_: { contents: string }) {
    throw Object.assign(new Error('RESOURCE_EXHAUSTED'), { status: 429 });
  }

  @TrackExternal('billing-api', {
    method: 'GET',
    usage: () => ({ inputTokens: 1, outputTokens: 1 }),
    cost: () => 0.25,
    metadata: ({ args }) => ({ customer: args[0], apiKey: 'sk-secret' }),
  })
  invoice(_customer: string) {
    return { status: 201, total: 10 };
  }

  @TrackExternal('openai', {
    usage: () => {
      throw { status: 500, apiKey: 'sk-live-in-a-key-field', detail: 'sent Bearer 8f2a1c9e7b6d5a4f3e2d1c0b' };
    },
    cost: () => Number.NaN,
    metadata: () => {
      throw new Error('metadata bug');
    },
  })
  brokenCallbacks() {
    return openAiChat;
  }

  @TrackExternal('openai', { usage: () => ({ inputTokens: -1, outputTokens: '10' as unknown as number, cachedInputTokens: 3 }), cost: () => -0.5 })
  badUsage() {
    return { model: 'acme-1' };
  }

  /** A streamed answer: chunks until the consumer stops listening. */
  @TrackExternal('openai', { endpoint: '/v1/chat/completions' })
  stream(): Observable<{ model: string; delta: string }> {
    return interval(1).pipe(map((i) => ({ model: 'gpt-4o-mini', delta: `chunk ${i}` })));
  }
}

@Injectable()
class Ledger {
  balance = 10;

  /** A sync method must stay sync. */
  @Audited({ action: 'ledger.debit', before: ({ instance }) => ({ balance: instance.balance }), after: ({ instance }) => ({ balance: instance.balance }) })
  debit(amount: number): number {
    if (amount > this.balance) throw new RangeError('insufficient funds');
    this.balance -= amount;
    return this.balance;
  }

  @Audited({ action: 'ledger.touch', skipUnchanged: true, before: () => ({ v: 1 }), after: () => ({ v: 1 }) })
  touch(): string {
    return 'same';
  }
}

/** A promise with extra helpers, like OpenAI's APIPromise. */
class ApiPromise<T> extends Promise<T> {
  withResponse() {
    return this.then((data) => ({ data, response: { status: 200 } }));
  }
}

@Injectable()
class Inventory {
  stock = { apples: 3 };

  @TrackExternal('openai')
  sdkCall(): ApiPromise<typeof openAiChat> {
    return new ApiPromise((resolve) => resolve(openAiChat));
  }

  /** Mutates its state in place: the before snapshot must be taken before the call. */
  @Audited({ action: 'inventory.take', before: ({ instance }) => instance.stock, after: ({ instance }) => instance.stock })
  take(n: number) {
    this.stock.apples -= n;
    return this.stock.apples;
  }

  @Audited({ action: 'inventory.watch', before: async () => ({ loaded: true }) })
  watch(): Observable<number> {
    return of(1, 2, 3);
  }

  @Audited({ action: 'inventory.after-fails', after: async () => { throw new Error('after failed'); } })
  async afterFails() {
    return 'ok';
  }
}

@Injectable({ scope: Scope.REQUEST })
class PerRequestService {
  @Audited({ message: ({ instance }) => `run by ${instance.constructor.name}` })
  run() {
    return 1;
  }
}

/** Freezes itself, as some immutable-by-design services do: it cannot be wrapped. */
@Injectable()
class FrozenService {
  constructor() {
    Object.freeze(this);
  }

  @Audited()
  work() {
    return 'done';
  }
}

/** Made by a factory provider: its action is still named after its class. */
class MadeByFactory {
  @Audited()
  work() {
    return 'made';
  }
}

/** Answers when another caller (another request) pushes a value. */
@Injectable()
class Waiter {
  readonly arrivals = new Subject<string>();

  @Audited({ action: 'waiter.wait' })
  wait(): Observable<string> {
    return this.arrivals.pipe(first());
  }

  @Audited({ action: 'waiter.cold' })
  cold(): Observable<number> {
    return of(1, 2);
  }
}

@Controller()
class RpcController {
  @MessagePattern('sum')
  @Audited({ action: 'rpc.sum', captureResult: true })
  sum(numbers: number[]) {
    return numbers.reduce((a, b) => a + b, 0);
  }
}

describe('@TrackExternal and @Audited on providers (in memory)', () => {
  let app: INestApplication;
  let store: AnalyticsTestingStore;
  let warn: jest.SpyInstance;

  beforeAll(async () => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const moduleRef = await Test.createTestingModule({
      imports: [AnalyticsTestingModule.forRoot({ pricing: { 'billing-model': { input: 1, output: 1 } } })],
      providers: [LlmClients, Ledger, PerRequestService, Inventory, FrozenService, Waiter, { provide: 'MADE', useFactory: () => new MadeByFactory() }],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    store = app.get(AnalyticsTestingStore);
  });
  afterAll(async () => {
    warn.mockRestore();
    await app.close();
  });
  afterEach(() => store.clear());

  it('reads OpenAI usage and prices the dated model by its base name', async () => {
    const clients = app.get(LlmClients);
    await expect(clients.chat({ model: 'gpt-4o-mini', messages: [] })).resolves.toBe(openAiChat);
    expect(clients.calls).toBe(1);
    const [row] = store.externalCalls();
    // gpt-4o-mini: $0.15 in, $0.075 cached, $0.60 out per 1M: 1000×0.15 + 1000×0.075 + 500×0.60 = 525 µ$
    expect(row).toMatchObject({
      service: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      input_tokens: 2000,
      cached_input_tokens: 1000,
      output_tokens: 500,
      cost_estimate: '0.000525',
      status_code: 200,
    });
  });

  it('reads Anthropic usage with cache reads counted once', async () => {
    await app.get(LlmClients).message({ model: 'claude-sonnet-4' });
    const [row] = store.externalCalls();
    // claude-sonnet-4: $3 in, $0.30 cache read, $15 out: 100×3 + 900×0.3 + 40×15 = 1170 µ$
    expect(row).toMatchObject({ service: 'anthropic', input_tokens: 1000, cached_input_tokens: 900, output_tokens: 40, cost_estimate: '0.001170' });
  });

  it('records a failing call with its status and rethrows the same error', async () => {
    const error = await app.get(LlmClients).quotaExceeded({ contents: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('RESOURCE_EXHAUSTED');
    expect(store.externalCalls()).toEqual([
      expect.objectContaining({ service: 'gemini', model: 'gemini-2.5-pro', status_code: 429, error_message: 'RESOURCE_EXHAUSTED', input_tokens: null, cost_estimate: null }),
    ]);
  });

  it('uses the usage, cost and metadata options, redacting secrets; a sync method stays sync', () => {
    const result = app.get(LlmClients).invoice('c-1');
    expect(result).toEqual({ status: 201, total: 10 });
    expect(store.externalCalls()).toEqual([
      expect.objectContaining({ service: 'billing-api', method: 'GET', status_code: 201, cost_estimate: '0.250000', metadata: { customer: 'c-1', apiKey: '[REDACTED]' } }),
    ]);
  });

  it('audits a sync provider method with before/after diff, and a sync throw', () => {
    const ledger = app.get(Ledger);
    expect(ledger.debit(3)).toBe(7);
    expect(() => ledger.debit(100)).toThrow(RangeError);
    const [ok, failed] = store.auditLogs();
    expect(ok).toMatchObject({ action: 'ledger.debit', status: 'success', changes: { balance: { from: 10, to: 7 } } });
    expect(failed).toMatchObject({ action: 'ledger.debit', status: 'failure', severity: 'error', error_code: 'RangeError', error_message: 'insufficient funds' });
  });

  it('skipUnchanged records nothing when before and after are equal', () => {
    expect(app.get(Ledger).touch()).toBe('same');
    expect(store.auditLogs()).toHaveLength(0);
  });

  it('records the methods of a request-scoped provider, on every instance made for a request', async () => {
    const contextId = ContextIdFactory.create();
    const service = await app.resolve(PerRequestService, contextId);
    expect(service.run()).toBe(1);
    expect((await app.resolve(PerRequestService, ContextIdFactory.create())).run()).toBe(1);
    expect(store.auditLogs()).toEqual([
      expect.objectContaining({ action: 'PerRequestService.run', message: 'run by PerRequestService' }),
      expect.objectContaining({ action: 'PerRequestService.run' }),
    ]);
  });

  it('starts with a frozen provider, warning that its calls are not recorded', () => {
    expect(app.get(FrozenService).work()).toBe('done');
    expect(store.auditLogs()).toEqual([]);
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual(
      expect.arrayContaining([expect.stringContaining('FrozenService.work cannot be wrapped')]),
    );
  });

  it("names a factory provider's default action after the class of what it made", () => {
    expect(app.get<MadeByFactory>('MADE').work()).toBe('made');
    expect(store.auditLogs()).toEqual([expect.objectContaining({ action: 'MadeByFactory.work' })]);
  });

  it('stamps an Observable call with its own context, even when another request makes it emit', async () => {
    const waiter = app.get(Waiter);
    const answer = runWithAnalyticsContext({ requestId: 'rid-alice', userId: 'alice' }, () => firstValueFrom(waiter.wait()));
    runWithAnalyticsContext({ requestId: 'rid-mallory', userId: 'mallory' }, () => waiter.arrivals.next('hello'));
    await expect(answer).resolves.toBe('hello');
    expect(store.auditLogs()).toEqual([expect.objectContaining({ action: 'waiter.wait', request_id: 'rid-alice', user_id: 'alice' })]);
  });

  it('records a cold Observable once per subscription, as each does the work again', async () => {
    const calls = app.get(Waiter).cold();
    await firstValueFrom(calls.pipe(toArray()));
    await firstValueFrom(calls.pipe(toArray()));
    expect(store.auditLogs().filter((row) => row.action === 'waiter.cold')).toHaveLength(2);
  });

  it('returns the very promise an SDK method returned, helpers included', async () => {
    const promise = app.get(Inventory).sdkCall();
    expect(promise).toBeInstanceOf(ApiPromise);
    await expect(promise.withResponse()).resolves.toMatchObject({ data: openAiChat });
    expect(store.externalCalls()).toEqual([expect.objectContaining({ service: 'openai', input_tokens: 2000 })]);
  });

  it('snapshots the before-state before the call, so in-place mutations still diff', () => {
    expect(app.get(Inventory).take(2)).toBe(1);
    expect(store.auditLogs()).toEqual([expect.objectContaining({ action: 'inventory.take', changes: { apples: { from: 3, to: 1 } } })]);
  });

  it('keeps an Observable method an Observable when `before` is async', async () => {
    const out = app.get(Inventory).watch();
    expect(out).toBeInstanceOf(Observable);
    await expect(firstValueFrom(out.pipe(toArray()))).resolves.toEqual([1, 2, 3]);
    expect(store.auditLogs()).toEqual([expect.objectContaining({ action: 'inventory.watch', before_data: { loaded: true } })]);
  });

  it('a usage, cost or metadata callback that throws or returns nonsense loses that value, not the row', () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const audit = app.get(AuditService);
    const captureErrors = audit.stats().captureErrors;
    try {
      expect(app.get(LlmClients).brokenCallbacks()).toBe(openAiChat);
      expect(app.get(LlmClients).badUsage()).toEqual({ model: 'acme-1' });
      // The usage that threw is read from the response instead; the NaN cost is priced from the table.
      expect(store.externalCalls()).toEqual([
        expect.objectContaining({ input_tokens: 2000, output_tokens: 500, cost_estimate: '0.000525', metadata: null }),
        expect.objectContaining({ model: 'acme-1', input_tokens: null, output_tokens: null, cached_input_tokens: 3, cost_estimate: null }),
      ]);
      expect(audit.stats().captureErrors).toBe(captureErrors + 6);
      const logged = error.mock.calls.map((call) => String(call[0])).join('\n');
      expect(logged).toContain('the usage callback threw: {"status":500,"apiKey":"[REDACTED]","detail":"sent Bearer [REDACTED]"}');
      expect(logged).not.toContain('sk-live');
    } finally {
      error.mockRestore();
    }
  });

  it('records a streamed call the consumer stopped listening to, with what it had seen', async () => {
    await expect(firstValueFrom(app.get(LlmClients).stream().pipe(take(2), toArray()))).resolves.toHaveLength(2);
    expect(store.externalCalls()).toEqual([expect.objectContaining({ service: 'openai', model: 'gpt-4o-mini', status_code: 200, response_size_bytes: expect.any(Number) })]);
  });

  it('still records a successful call whose async `after` fails', async () => {
    await expect(app.get(Inventory).afterFails()).resolves.toBe('ok');
    await new Promise((r) => setImmediate(r));
    expect(store.auditLogs()).toEqual([expect.objectContaining({ action: 'inventory.after-fails', status: 'success', after_data: null })]);
  });

  it('keeps the metadata of the wrapped method', () => {
    const method = app.get(LlmClients).chat;
    expect(Reflect.getMetadata('analytics:track-external', method)).toMatchObject({ service: 'openai' });
    expect(method.name).toBe('chat');
  });
});

describe('A microservice (RPC) context', () => {
  it('audits @Audited message handlers and never logs them as HTTP rows', async () => {
    const port = await TcpProxy.freePort();
    const moduleRef = await Test.createTestingModule({
      imports: [AnalyticsTestingModule.forRoot(), ClientsModule.register([{ name: 'RPC', transport: Transport.TCP, options: { port } }])],
      controllers: [RpcController],
    }).compile();
    const app = moduleRef.createNestMicroservice({ transport: Transport.TCP, options: { port }, logger: false });
    await app.listen();
    const client = app.get<ClientProxy>('RPC');
    try {
      await expect(firstValueFrom(client.send('sum', [1, 2, 3]))).resolves.toBe(6);
      const store = app.get(AnalyticsTestingStore);
      expect(store.auditLogs()).toEqual([expect.objectContaining({ action: 'rpc.sum', status: 'success', metadata: { result: 6 } })]);
      expect(store.accessLogs()).toHaveLength(0);
    } finally {
      client.close();
      await app.close();
    }
  });
});

describe('@Audited on a provider with the real pipeline', () => {
  const names = uniqueNames('decorated');
  let app: INestApplication;
  let db: TestDatabase;

  beforeAll(async () => {
    @Module({ imports: [AnalyticsModule.forRoot(testOptions(names))], providers: [Ledger] })
    class LedgerModule {}
    const moduleRef = await Test.createTestingModule({ imports: [LedgerModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    db = await new TestDatabase(names.schema).connect();
  });
  afterAll(async () => {
    await app.close();
    await db.dropAndClose();
    await obliterateAndClose(openQueue(names.queueName));
  });

  it('persists success and failure rows with duration and diff', async () => {
    const ledger = app.get(Ledger);
    ledger.debit(4);
    expect(() => ledger.debit(50)).toThrow('insufficient funds');
    await app.get(AuditService).flush({ waitForPersistence: true });
    const rows = await db.rows('audit_logs', 'action = $1', ['ledger.debit']);
    expect(rows.map((r) => r.status)).toEqual(['success', 'failure']);
    expect(rows[0].changes).toEqual({ balance: { from: 10, to: 6 } });
    expect(rows[1]).toMatchObject({ severity: 'error', error_message: 'insufficient funds', stack_trace: null });
    expect(rows.every((r) => typeof r.duration_ms === 'number')).toBe(true);
  });
});

describe('Decorated controllers without AnalyticsModule', () => {
  @Controller('reports')
  class ReportsController {
    @Get(':id')
    @Audited({ action: 'report.read' })
    @TrackExternal('gemini')
    read(@Param('id') id: string) {
      return { id };
    }
  }

  it('start and answer as they are (a controller unit test, an app that imports the module only somewhere)', async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [ReportsController] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const res = await request(app.getHttpServer()).get('/reports/7');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: '7' });
      expect(moduleRef.get(ReportsController).read('8')).toEqual({ id: '8' });
    } finally {
      await app.close();
    }
  });
});

import { RequestState } from '../../src/capture/request-state';
import type { ResolvedAnalyticsOptions } from '../../src/options/analytics-options.schema';
import { RecordFactory } from '../../src/records/record.factory';
import type { BufferedRecord } from '../../src/records/record.types';

/** Share of each kind in a mixed stream, roughly what an API with an LLM feature records. */
export const MIX = { access: 0.7, audit: 0.12, external: 0.08, event: 0.08, auth: 0.02 } as const;

/**
 * `n` records made by the module's own RecordFactory (so sizes, truncation and redaction
 * are the real ones), kinds interleaved in the proportions of `MIX`.
 */
export function mixedRecords(options: ResolvedAnalyticsOptions, n: number): BufferedRecord[] {
  const factory = new RecordFactory(options);
  const out = new Array<BufferedRecord>(n);
  const cut = cumulative();
  for (let i = 0; i < n; i++) {
    const pick = (i * 0.618033988749895) % 1; // evenly spread, deterministic
    const user = `user-${i % 5000}`;
    if (pick < cut.access) out[i] = access(factory, i, user);
    else if (pick < cut.audit)
      out[i] = factory.audit({
        action: i % 3 ? 'project.update' : 'project.create',
        userId: user,
        resourceType: 'project',
        resourceId: i % 10_000,
        beforeData: { name: `Project ${i - 1}`, members: 3, archived: false },
        afterData: { name: `Project ${i}`, members: 4, archived: false, password: 'redacted-by-the-module' },
        metadata: { via: 'api' },
        tags: ['projects'],
        durationMs: (i % 40) / 2,
      });
    else if (pick < cut.external)
      out[i] = factory.externalCall({
        service: 'gemini',
        endpoint: 'models/gemini-2.5-flash:generateContent',
        model: 'gemini-2.5-flash',
        statusCode: 200,
        responseTimeMs: 400 + (i % 900),
        inputTokens: 800 + (i % 1200),
        outputTokens: 150 + (i % 600),
        userId: user,
      });
    else if (pick < cut.event) out[i] = factory.event('report.exported', { format: i % 2 ? 'csv' : 'pdf', rows: i % 1000 }, { userId: user });
    else out[i] = factory.auth({ eventType: i % 4 ? 'login' : 'login_failed', success: i % 4 !== 0, userId: user });
  }
  return out;
}

function cumulative() {
  const access = MIX.access;
  const audit = access + MIX.audit;
  const external = audit + MIX.external;
  const event = external + MIX.event;
  return { access, audit, external, event };
}

function access(factory: RecordFactory, i: number, user: string): BufferedRecord {
  const state = new RequestState(
    null,
    () => user,
    performance.now() - (i % 97) / 3,
    Date.now(),
    i % 5 === 0 ? 'POST' : 'GET',
    `/projects/${i % 1000}`,
    i % 3 === 0 ? `page=${i % 7}` : '',
    `req-${i}`,
    undefined,
    '10.0.0.1',
    'Mozilla/5.0 (bench)',
    undefined,
  );
  state.route = '/projects/:id';
  state.handler = 'ProjectsController.get';
  state.finish(i % 50 === 0 ? 500 : 200, 42 + (i % 300));
  return factory.accessLog(state);
}

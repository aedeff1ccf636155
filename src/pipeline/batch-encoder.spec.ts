import { Logger } from '@nestjs/common';
import { RequestState } from '../capture/request-state';
import { resolveAnalyticsOptions } from '../options/analytics-options.factory';
import { RecordFactory } from '../records/record.factory';
import type { QueuedRecord } from '../records/record.types';
import { toRowObjects } from '../records/table-rows';
import { AnalyticsCounters } from './analytics-counters';
import { BatchEncoder } from './batch-encoder';

const finishedRequest = (path: string, request: unknown = { user: { id: 7 } }) => {
  const state = new RequestState(request, (r) => (r as { user?: { id: number } }).user?.id?.toString(), performance.now(), Date.now(), 'GET', path, 'page=2', 'req-1', undefined, '10.0.0.1', 'jest', undefined);
  state.finish(200, 12);
  return state;
};

describe('BatchEncoder', () => {
  const factory = new RecordFactory(resolveAnalyticsOptions({}, {}));
  let counters: AnalyticsCounters;
  let encoder: BatchEncoder;

  beforeEach(() => {
    counters = new AnalyticsCounters();
    encoder = new BatchEncoder(factory, counters);
  });

  it('builds the access-log rows of finished requests and groups every record by table', () => {
    const records: QueuedRecord[] = [finishedRequest('/a'), factory.audit({ action: 'x.y' }), finishedRequest('/b')];

    const batch = encoder.encode(records);

    expect(Object.keys(batch.tables).sort()).toEqual(['api_access_logs', 'audit_logs']);
    const access = toRowObjects(batch.tables.api_access_logs!);
    expect(access).toEqual([
      expect.objectContaining({ endpoint: '/a', status_code: 200, user_id: '7', response_size_bytes: 12, query_params: { page: '2' } }),
      expect.objectContaining({ endpoint: '/b' }),
    ]);
    expect(toRowObjects(batch.tables.audit_logs!)).toEqual([expect.objectContaining({ action: 'x.y' })]);
  });

  it('keeps the values built for a finished request, so a batch sent again keeps its ids', () => {
    const records: QueuedRecord[] = [finishedRequest('/again')];

    const first = toRowObjects(encoder.encode(records).tables.api_access_logs!)[0];
    const second = toRowObjects(encoder.encode(records).tables.api_access_logs!)[0];

    expect(second.id).toBe(first.id);
    expect(second).toEqual(first);
  });

  it('writes the same row as RecordFactory.accessLog() does', () => {
    const state = finishedRequest('/same');

    const encoded = toRowObjects(encoder.encode([state]).tables.api_access_logs!)[0];

    const { row } = factory.accessLog(state);
    expect(Object.keys(encoded)).toEqual(Object.keys(row));
    expect({ ...row, id: encoded.id }).toEqual(encoded);
  });

  it('puts access-log rows built elsewhere in the same table, in the same columns', () => {
    const built = factory.accessLog(finishedRequest('/built'));

    const batch = encoder.encode([finishedRequest('/state'), built]);

    expect(Object.keys(batch.tables)).toEqual(['api_access_logs']);
    expect(toRowObjects(batch.tables.api_access_logs!)).toEqual([expect.objectContaining({ endpoint: '/state' }), built.row]);
  });

  it('counts a record that cannot be built as a capture error and sends the rest', () => {
    const broken = finishedRequest('/broken');
    Object.defineProperty(broken, 'path', { get: () => { throw new Error('boom'); } });
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);

    const batch = encoder.encode([broken, finishedRequest('/fine')]);

    expect(toRowObjects(batch.tables.api_access_logs!).map((r) => r.endpoint)).toEqual(['/fine']);
    expect(counters.captureErrors).toBe(1);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('boom'));
    logged.mockRestore();
  });
});

describe('RequestState.finish', () => {
  it('resolves the user once and lets go of the platform request', () => {
    const getUser = jest.fn((r: unknown) => (r as { user: { id: string } }).user.id);
    const request = { user: { id: 'u1' }, sessionID: 'sess-1', headers: { cookie: 'connect.sid=s%3Asess-1.signature' } };
    const state = new RequestState(request, getUser, performance.now(), Date.now(), 'GET', '/', '', 'r', undefined, undefined, undefined, undefined);

    state.finish(201, undefined);

    expect(state.request).toBeUndefined();
    expect(state.userId).toBe('u1');
    expect(state.userId).toBe('u1');
    expect(getUser).toHaveBeenCalledTimes(1);
    expect(state).toMatchObject({ statusCode: 201, sessionId: 'sess-1' });
    expect(state.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('remembers that there was no user without asking again', () => {
    const getUser = jest.fn(() => undefined);
    const state = new RequestState({}, getUser, performance.now(), Date.now(), 'GET', '/', '', 'r', undefined, undefined, undefined, undefined);

    state.finish(200, undefined);

    expect(state.userId).toBeUndefined();
    expect(getUser).toHaveBeenCalledTimes(1);
  });
});

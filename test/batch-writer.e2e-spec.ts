import type { INestApplication } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AnalyticsDatabase } from '../src/database/analytics-database';
import { NUL_REPLACEMENT } from '../src/database/pg-text';
import { BatchWriter, RowsRefusedError, WriteMethod } from '../src/pipeline/batch-writer';
import { encodeRecords } from '../src/pipeline/batch-encoder';
import type { BatchPayload, EncodedBatch, JobPayload, RecordRow, TableName } from '../src/records/record.types';
import { bootAnalytics, testOptions } from './support/test-app';
import { TestDatabase } from './support/test-database';
import { uniqueNames } from './support/test-names';
import { obliterateAndClose, openQueue } from './support/test-queue';

/** Text that COPY's text format and array literals must escape, and what PostgreSQL refuses (U+0000). */
const NASTY = [
  'plain',
  'tab\there',
  'new\nline and\r\ncrlf',
  'back\\slash \\N \\t literal',
  'quote " and \' and {braces}, commas',
  'NULL',
  '',
  'unicode: 日本語 ✓ 🚀 é',
  'nul\0inside',
];

describe('BatchWriter against PostgreSQL: COPY first, INSERT … ON CONFLICT for replays', () => {
  const names = uniqueNames('writer');
  let db: TestDatabase;
  let app: INestApplication;
  let writer: BatchWriter;
  let database: AnalyticsDatabase;

  beforeAll(async () => {
    db = await new TestDatabase(names.schema).connect();
    ({ app } = await bootAnalytics(testOptions(names, { worker: { enabled: false } })));
    writer = app.get(BatchWriter);
    database = app.get(AnalyticsDatabase);
    await database.ready();
  });
  afterAll(async () => {
    await app.close();
    await db.dropAndClose();
    await obliterateAndClose(openQueue(names.queueName));
  });

  /** A row with every column of the table, NULL unless given. */
  const row = (table: TableName, values: Record<string, unknown>): RecordRow => {
    const empty = Object.fromEntries(database.shape(table).columns.map((c) => [c, null]));
    return { ...empty, id: uuidv7(), created_at: new Date().toISOString(), ...values } as RecordRow;
  };

  const eventRow = (values: Record<string, unknown>) =>
    row('event_logs', { occurred_at: new Date().toISOString(), value: 1, source: 'backend', ...values });

  const auditRow = (text: string, i: number) =>
    row('audit_logs', {
      action: `nasty.${i}`,
      severity: 'info',
      status: 'success',
      message: text,
      user_agent: text,
      before_data: { text, nested: [text, { [text]: i }], n: i, ok: true, nothing: null },
      metadata: { text },
      tags: [text, 'second', null],
      duration_ms: i + 0.25,
      is_sensitive: i % 2 === 0,
      is_compliance_relevant: false,
    });

  const stored = (text: string) => text.replace(/\0/g, NUL_REPLACEMENT);

  /** The same rows as the producer sends them now: value arrays per table. */
  const asValueArrays = (payload: BatchPayload): JobPayload =>
    encodeRecords(Object.entries(payload).flatMap(([table, rows]) => (rows ?? []).map((row) => ({ table: table as TableName, row }))));

  describe.each<[string, (payload: BatchPayload) => JobPayload]>([
    ['value arrays (the current job format)', asValueArrays],
    ['row objects (jobs left in Redis by an earlier version)', (payload) => payload],
  ])('jobs as %s', (_format, job) => {
    it.each<WriteMethod>(['copy', 'insert'])('%s stores text with tabs, newlines, backslashes, quotes, unicode and NUL exactly', async (method) => {
      const rows = NASTY.map((text, i) => auditRow(text, i));

      expect(await writer.writeWith(method, job({ audit_logs: rows }))).toBe(rows.length);

      const back = await db.rows('audit_logs', 'id = ANY($1::uuid[])', [rows.map((r) => r.id)]);
      expect(back).toHaveLength(rows.length);
      for (const [i, text] of NASTY.entries()) {
        const got = back.find((r) => r.action === `nasty.${i}`)!;
        const want = stored(text);
        expect(got.message).toBe(want);
        expect(got.user_agent).toBe(want);
        expect(got.before_data).toEqual({ text: want, nested: [want, { [want]: i }], n: i, ok: true, nothing: null });
        expect(got.metadata).toEqual({ text: want });
        expect(got.tags).toEqual([want, 'second', null]);
        expect(got.duration_ms).toBe(i + 0.25);
        expect(got.is_sensitive).toBe(i % 2 === 0);
        expect(new Date(got.created_at).toISOString()).toBe(rows[i].created_at);
      }
    });

    it('writes every table of a mixed batch in one transaction', async () => {
      const payload = {
        api_access_logs: [row('api_access_logs', { method: 'GET', endpoint: '/a\tb', status_code: 200, response_time_ms: 1.5, query_params: { q: 'x\ny' } })],
        authentication_logs: [row('authentication_logs', { event_type: 'login', success: false, ip_address: '10.0.0.1' })],
        external_api_call_logs: [
          row('external_api_call_logs', { service: 'gemini', endpoint: 'generateContent', method: 'POST', cost_estimate: '0.000123', input_tokens: 10 }),
        ],
        audit_logs: [auditRow('mixed', 0)],
        event_logs: [eventRow({ event_type: 'signup', properties: { plan: 'pro' } })],
      };

      expect(await writer.write(job(payload))).toBe(5);

      const [access] = await db.rows('api_access_logs', 'id = $1', [payload.api_access_logs[0].id]);
      expect(access).toMatchObject({ endpoint: '/a\tb', status_code: 200, query_params: { q: 'x\ny' } });
      const [call] = await db.rows('external_api_call_logs', 'id = $1', [payload.external_api_call_logs[0].id]);
      expect(call).toMatchObject({ service: 'gemini', method: 'POST', input_tokens: 10, cost_estimate: '0.000123' });
      expect(await db.rows('authentication_logs', 'id = $1', [payload.authentication_logs[0].id])).toHaveLength(1);
      expect(await db.rows('event_logs', 'id = $1', [payload.event_logs[0].id])).toHaveLength(1);
    });

    it('a replayed batch (some rows already stored) falls back to INSERT and stores each row once', async () => {
      const first = [auditRow('replay-1', 1), auditRow('replay-2', 2)];
      const later = [auditRow('replay-3', 3)];
      expect(await writer.write(job({ audit_logs: first }))).toBe(2);

      expect(await writer.write(job({ audit_logs: [...first, ...later] }))).toBe(1);
      expect(await writer.write(job({ audit_logs: [...first, ...later] }))).toBe(0);

      const ids = [...first, ...later].map((r) => r.id);
      const back = await db.query(`SELECT id, count(*)::int AS n FROM "${names.schema}".audit_logs WHERE id = ANY($1::uuid[]) GROUP BY id`, [ids]);
      expect(back.rows).toHaveLength(3);
      expect(back.rows.every((r) => r.n === 1)).toBe(true);
    });

    it('a batch with rows PostgreSQL refuses stores every other row, of every table, and throws naming what it refused', async () => {
      const good = [auditRow('beside-bad-1', 1), auditRow('beside-bad-2', 2), auditRow('beside-bad-3', 3)];
      const bad = { ...auditRow('bad-audit', 4), duration_ms: 'not a number' };
      const badAccess = row('api_access_logs', { method: 'GET', endpoint: '/x', status_code: 'not a number', response_time_ms: 1 });
      const event = eventRow({ event_type: 'beside-bad' });
      const payload = job({ api_access_logs: [badAccess], audit_logs: [good[0], bad, good[1], good[2]], event_logs: [event] });

      const error = await writer.write(payload).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(RowsRefusedError);
      expect((error as RowsRefusedError).refused).toEqual([
        { table: 'api_access_logs', rows: 1, reason: expect.stringMatching(/invalid input/) },
        { table: 'audit_logs', rows: 1, reason: expect.stringMatching(/invalid input/) },
      ]);
      expect(error).toMatchObject({ inserted: 4, refusedRows: 2, storedRows: 4 });
      expect(await db.rows('audit_logs', 'id = ANY($1::uuid[])', [good.map((r) => r.id)])).toHaveLength(3);
      expect(await db.rows('event_logs', 'id = $1', [event.id])).toHaveLength(1);

      // A retry stores nothing twice and refuses the same rows again.
      await expect(writer.write(payload)).rejects.toMatchObject({ inserted: 0, refusedRows: 2, storedRows: 4 });
      expect(await db.count('audit_logs')).toBe(new Set((await db.rows('audit_logs')).map((r) => r.id)).size);
    });

    it('a row a CHECK refuses (as a missing partition does, 23514) holds back only itself; a replay once it fits stores just that row', async () => {
      await db.query(`ALTER TABLE "${names.schema}".event_logs ADD CONSTRAINT only_known CHECK (event_type <> 'unknown.${_format.length}')`);
      try {
        const events = [eventRow({ event_type: 'known' }), eventRow({ event_type: `unknown.${_format.length}` }), eventRow({ event_type: 'known' })];
        const payload = job({ event_logs: events, audit_logs: [auditRow('beside-event', 1)] });
        await expect(writer.write(payload)).rejects.toThrow(/refused 1 row\(s\) of event_logs \(.*only_known.*\); the batch's other 3 row\(s\) are stored/);
        await db.query(`ALTER TABLE "${names.schema}".event_logs DROP CONSTRAINT only_known`);
        expect(await writer.write(payload)).toBe(1);
        expect(await db.rows('event_logs', 'id = ANY($1::uuid[])', [events.map((e) => e.id)])).toHaveLength(3);
      } finally {
        await db.query(`ALTER TABLE "${names.schema}".event_logs DROP CONSTRAINT IF EXISTS only_known`);
      }
    });

    it('a table the writer cannot write (a column renamed by hand) holds back only its own rows', async () => {
      const table = `"${names.schema}".authentication_logs`;
      await db.query(`ALTER TABLE ${table} RENAME COLUMN metadata TO metadata_by_hand`);
      try {
        const audit = auditRow('beside-broken-table', 1);
        const auth = row('authentication_logs', { event_type: 'login', success: true });
        await expect(writer.write(job({ authentication_logs: [auth], audit_logs: [audit] }))).rejects.toThrow(
          /refused 1 row\(s\) of authentication_logs \(column "metadata" .*does not exist\)/,
        );
        expect(await db.rows('audit_logs', 'id = $1', [audit.id])).toHaveLength(1);
      } finally {
        await db.query(`ALTER TABLE ${table} RENAME COLUMN metadata_by_hand TO metadata`);
      }
    });

    it('a batch whose rows are all refused costs a bounded number of writes per attempt, and still stores the other tables', async () => {
      const bad = Array.from({ length: 300 }, (_, i) => ({ ...auditRow(`all-bad-${i}`, i), duration_ms: 'not a number' }));
      const events = [eventRow({ event_type: 'beside-all-bad' }), eventRow({ event_type: 'beside-all-bad' })];
      const writes = jest.spyOn(writer, 'writeWith');
      try {
        const error = await writer.write(job({ audit_logs: bad, event_logs: events })).catch((err: unknown) => err);
        expect(error).toMatchObject({ refusedRows: 300, storedRows: 2 });
        // The whole batch, each table on its own, then at most 64 halves.
        expect(writes.mock.calls.length).toBeLessThanOrEqual(1 + 2 + 64);
        expect(await db.rows('event_logs', 'id = ANY($1::uuid[])', [events.map((e) => e.id)])).toHaveLength(2);
      } finally {
        writes.mockRestore();
      }
    });

    it('a connection lost while it looks for the refused rows fails the attempt as it is (the batch is retried whole)', async () => {
      const bad = { ...auditRow('lost-bad', 1), duration_ms: 'not a number' };
      const writes = jest.spyOn(writer, 'writeWith');
      // The whole batch is refused for its bad row; the next write loses its connection.
      writes.mockImplementationOnce((...args) => BatchWriter.prototype.writeWith.apply(writer, args));
      writes.mockRejectedValueOnce(new Error('Connection terminated unexpectedly'));
      try {
        await expect(writer.write(job({ audit_logs: [auditRow('lost-good', 2), bad] }))).rejects.toThrow(/^Connection terminated unexpectedly$/);
      } finally {
        writes.mockRestore();
      }
    });

    it('a batch of one row PostgreSQL refuses fails as it is', async () => {
      const bad = { ...auditRow('one-bad', 3), duration_ms: 'not a number' };
      await expect(writer.write(job({ audit_logs: [bad] }))).rejects.toThrow(/invalid input/);
    });

    it('events with a dedupKey keep their claim-once path beside COPY for the rest', async () => {
      const key = `once-${Date.now()}`;
      const keyed = [
        eventRow({ event_type: 'once', dedup_key: key }),
        eventRow({ event_type: 'once', dedup_key: key }),
        eventRow({ event_type: 'plain' }),
      ];

      expect(await writer.write(job({ event_logs: keyed, audit_logs: [auditRow('beside-events', 1)] }))).toBe(3);
      expect(await db.rows('event_logs', 'dedup_key = $1', [key])).toHaveLength(1);
    });

    it('ignores a column the table does not have and leaves missing ones to their defaults', async () => {
      const id = uuidv7();
      const payload: EncodedBatch = {
        v: 2,
        tables: {
          api_access_logs: {
            columns: ['id', 'created_at', 'method', 'endpoint', 'status_code', 'response_time_ms', 'from_a_newer_producer'],
            values: [[id, new Date().toISOString(), 'GET', '/columns', 204, 0.5, 'ignored']],
          },
        },
      };
      expect(await writer.write(payload)).toBe(1);
      const [stored] = await db.rows('api_access_logs', 'id = $1', [id]);
      expect(stored).toMatchObject({ endpoint: '/columns', status_code: 204, user_id: null, query_params: null });
    });
  });
});

import type { EntityMetadata } from 'typeorm';
import {
  buildClaimKeys,
  buildDedupedEventInsert,
  buildInsert,
  chunk,
  MAX_BIND_PARAMETERS,
  quoteIdentifier,
  rowsPerStatement,
  tableShape,
  type TableShape,
} from './insert-statement.builder';

const shape: TableShape = {
  qualified: '"analytics"."event_logs"',
  columns: ['id', 'created_at', 'event_type', 'properties', 'tags', 'dedup_key'],
  casts: ['uuid', 'timestamptz', 'varchar', 'jsonb', 'text[]', 'varchar'],
  json: [false, false, false, true, false, false],
};

const row = (n: number, extra: Record<string, unknown> = {}) => ({
  id: `00000000-0000-7000-8000-00000000000${n}`,
  created_at: `2024-01-0${n}T00:00:00.000Z`,
  event_type: `type.${n}`,
  properties: { n },
  tags: [`t${n}`],
  dedup_key: null,
  ...extra,
});

describe('rowsPerStatement', () => {
  it('fits 1771 rows of 37 columns under the bind-parameter limit', () => {
    expect(rowsPerStatement(37)).toBe(1771);
    expect(1771 * 37).toBeLessThanOrEqual(MAX_BIND_PARAMETERS);
    expect(1772 * 37).toBeGreaterThan(MAX_BIND_PARAMETERS);
  });

  it.each([1, 2, 6, 17, 37, 64, 100, 1000, 65_535])('never exceeds 65,535 parameters with %i columns', (columns) => {
    const rows = rowsPerStatement(columns);

    expect(rows).toBeGreaterThanOrEqual(1);
    expect(rows * columns).toBeLessThanOrEqual(MAX_BIND_PARAMETERS);
    expect((rows + 1) * columns).toBeGreaterThan(MAX_BIND_PARAMETERS);
  });

  it('returns at least one row', () => {
    expect(rowsPerStatement(70_000)).toBe(1);
    expect(rowsPerStatement(10, 5)).toBe(1);
  });

  it('honours a custom limit', () => {
    expect(rowsPerStatement(6, 100)).toBe(16);
  });

  it('refuses zero columns', () => {
    expect(() => rowsPerStatement(0)).toThrow(RangeError);
  });
});

describe('chunk', () => {
  it('splits into consecutive chunks of at most the size, in order', () => {
    expect(chunk([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(chunk([1, 2, 3, 4], 2)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(chunk([1, 2], 5)).toEqual([[1, 2]]);
    expect(chunk([], 5)).toEqual([]);
  });

  it('keeps every item exactly once', () => {
    const items = Array.from({ length: 3543 }, (_, i) => i);
    const parts = chunk(items, rowsPerStatement(37));

    expect(parts.map((p) => p.length)).toEqual([1771, 1771, 1]);
    expect(parts.flat()).toEqual(items);
  });
});

describe('buildInsert', () => {
  it('numbers $n::type placeholders across rows, with params in order', () => {
    const { sql, params } = buildInsert(shape, [row(1), row(2)]);

    expect(sql).toBe(
      'INSERT INTO "analytics"."event_logs" ("id", "created_at", "event_type", "properties", "tags", "dedup_key") VALUES ' +
        '($1::uuid, $2::timestamptz, $3::varchar, $4::jsonb, $5::text[], $6::varchar), ' +
        '($7::uuid, $8::timestamptz, $9::varchar, $10::jsonb, $11::text[], $12::varchar) ' +
        'ON CONFLICT DO NOTHING',
    );
    expect(params).toEqual([
      row(1).id,
      row(1).created_at,
      'type.1',
      '{"n":1}',
      ['t1'],
      null,
      row(2).id,
      row(2).created_at,
      'type.2',
      '{"n":2}',
      ['t2'],
      null,
    ]);
  });

  it('has one parameter per column per row', () => {
    const rows = Array.from({ length: 9 }, (_, i) => row(i));
    const { sql, params } = buildInsert(shape, rows);

    expect(params).toHaveLength(9 * shape.columns.length);
    expect(sql).toContain(`$${params.length}::varchar)`);
    expect(sql).not.toContain(`$${params.length + 1}`);
  });

  it('stringifies JSON columns only, and writes missing values as null', () => {
    const { params } = buildInsert(shape, [{ id: 'i', created_at: 'c', properties: [1, { a: 'b' }], tags: ['x'] }]);

    expect(params).toEqual(['i', 'c', null, '[1,{"a":"b"}]', ['x'], null]);
  });

  it('writes a null JSON value as SQL NULL, not the string "null"', () => {
    const { params } = buildInsert(shape, [row(1, { properties: null })]);

    expect(params[3]).toBeNull();
  });

  it('ends with ON CONFLICT DO NOTHING so a retried batch inserts nothing twice', () => {
    expect(buildInsert(shape, [row(1)]).sql).toMatch(/ ON CONFLICT DO NOTHING$/);
  });
});

describe('tableShape', () => {
  const column = (databaseName: string, type: string, isArray = false) => ({ databaseName, type, isArray });
  const metadata = {
    tableName: 'event_logs',
    columns: [
      column('id', 'uuid'),
      column('subject_hash', 'character'),
      column('properties', 'jsonb'),
      column('legacy', 'json'),
      column('tags', 'text', true),
    ],
  } as unknown as EntityMetadata;
  const driver = { normalizeType: (c: { type?: unknown }) => String(c.type) };

  it('replaces a character cast with text so char(64) values are not cut', () => {
    const result = tableShape('analytics', metadata, driver);

    expect(result).toEqual({
      qualified: '"analytics"."event_logs"',
      columns: ['id', 'subject_hash', 'properties', 'legacy', 'tags'],
      casts: ['uuid', 'text', 'jsonb', 'json', 'text[]'],
      json: [false, false, true, true, false],
    });
  });

  it('uses the text cast in the statement it builds', () => {
    const { sql } = buildInsert(tableShape('analytics', metadata, driver), [{ id: 'i', subject_hash: 'h' }]);

    expect(sql).toContain('$2::text');
    expect(sql).not.toContain('::character');
  });

  it('quotes identifiers, doubling embedded quotes', () => {
    expect(tableShape('my"schema', metadata, driver).qualified).toBe('"my""schema"."event_logs"');
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
  });
});

describe('buildClaimKeys', () => {
  const keysTable = '"analytics"."event_dedup_keys"';

  it('claims only rows that have a dedup_key, three typed params each', () => {
    const rows = [row(1, { dedup_key: 'exp-1' }), row(2), row(3, { dedup_key: 'exp-3' })];
    const { sql, params } = buildClaimKeys(keysTable, rows);

    expect(sql).toBe(
      'INSERT INTO "analytics"."event_dedup_keys" ("dedup_key", "event_id", "created_at") VALUES ' +
        '($1::varchar, $2::uuid, $3::timestamptz), ($4::varchar, $5::uuid, $6::timestamptz) ' +
        'ON CONFLICT ("dedup_key") DO NOTHING',
    );
    expect(params).toEqual(['exp-1', row(1).id, row(1).created_at, 'exp-3', row(3).id, row(3).created_at]);
  });
});

describe('buildDedupedEventInsert', () => {
  const keysTable = '"analytics"."event_dedup_keys"';

  it('inserts from a VALUES list only events without a key or that won their key', () => {
    const rows = [row(1), row(2, { dedup_key: 'k' })];
    const { sql, params } = buildDedupedEventInsert(shape, keysTable, rows);
    const cols = '"id", "created_at", "event_type", "properties", "tags", "dedup_key"';

    expect(sql).toBe(
      `INSERT INTO "analytics"."event_logs" (${cols}) SELECT ${cols} FROM (VALUES ` +
        '($1::uuid, $2::timestamptz, $3::varchar, $4::jsonb, $5::text[], $6::varchar), ' +
        '($7::uuid, $8::timestamptz, $9::varchar, $10::jsonb, $11::text[], $12::varchar)' +
        `) AS v(${cols}) ` +
        'WHERE v."dedup_key" IS NULL OR EXISTS (SELECT 1 FROM "analytics"."event_dedup_keys" k WHERE k."dedup_key" = v."dedup_key" AND k."event_id" = v."id") ' +
        'ON CONFLICT DO NOTHING',
    );
    expect(params).toEqual(buildInsert(shape, rows).params);
    expect(params[11]).toBe('k');
  });
});

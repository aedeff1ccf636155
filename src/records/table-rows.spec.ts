import { isEncodedBatch, rowCount, tablesOf, toRowObjects, toTableRows } from './table-rows';
import type { RecordRow } from './record.types';

const row = (values: Record<string, unknown>) => ({ id: 'i', created_at: 't', ...values }) as RecordRow;

describe('toTableRows', () => {
  it('names each column once, in first-seen order, and fills what a row lacks with null', () => {
    const rows = [row({ a: 1 }), row({ b: 'x', a: 2 }), row({ c: undefined })];

    expect(toTableRows(rows)).toEqual({
      columns: ['id', 'created_at', 'a', 'b', 'c'],
      values: [
        ['i', 't', 1, null, null],
        ['i', 't', 2, 'x', null],
        ['i', 't', null, null, null],
      ],
    });
  });

  it('keeps JSON values and arrays as they are', () => {
    const meta = { nested: [1, { x: 'y' }] };
    const { values } = toTableRows([row({ metadata: meta, tags: ['a', 'b'] })]);
    expect(values[0][2]).toBe(meta);
    expect(values[0][3]).toEqual(['a', 'b']);
  });

  it('round-trips through toRowObjects', () => {
    const rows = [row({ a: 1, b: null }), row({ a: 2, b: 'x' })];
    expect(toRowObjects(toTableRows(rows))).toEqual(rows);
  });
});

describe('tablesOf and rowCount', () => {
  const encoded = { v: 2 as const, tables: { audit_logs: toTableRows([row({ action: 'a' }), row({ action: 'b' })]) } };
  const legacy = { audit_logs: [row({ action: 'a' })], event_logs: [row({ event_type: 'e' }), row({ event_type: 'f' })] };

  it('reads both job formats', () => {
    expect(isEncodedBatch(encoded)).toBe(true);
    expect(isEncodedBatch(legacy)).toBe(false);
    expect(tablesOf(encoded)).toBe(encoded.tables);
    expect(tablesOf(legacy)).toEqual({
      audit_logs: { columns: ['id', 'created_at', 'action'], values: [['i', 't', 'a']] },
      event_logs: { columns: ['id', 'created_at', 'event_type'], values: [['i', 't', 'e'], ['i', 't', 'f']] },
    });
  });

  it('counts the records of a job in either format', () => {
    expect(rowCount(encoded)).toBe(2);
    expect(rowCount(legacy)).toBe(3);
    expect(rowCount(undefined)).toBe(0);
    expect(rowCount({})).toBe(0);
  });
});

import { arrayLiteral, buildCopy, encodeCopyRows, encodeCopyTable } from './copy-statement.builder';
import type { TableShape } from './insert-statement.builder';
import { jsonText, NUL_REPLACEMENT, pgText } from './pg-text';

const shape: TableShape = {
  qualified: '"analytics"."event_logs"',
  columns: ['id', 'n', 'ok', 'properties', 'tags', 'note'],
  casts: ['uuid', 'integer', 'boolean', 'jsonb', 'text[]', 'text'],
  json: [false, false, false, true, false, false],
};

describe('buildCopy', () => {
  it('names every column, quoted, in shape order', () => {
    expect(buildCopy(shape)).toBe('COPY "analytics"."event_logs" ("id", "n", "ok", "properties", "tags", "note") FROM STDIN');
  });
});

describe('encodeCopyRows', () => {
  it('writes one tab-separated, newline-terminated line per row with \\N for NULL and missing columns', () => {
    const text = encodeCopyRows(shape, [
      { id: 'a', n: 1, ok: true, properties: { x: 1 }, tags: ['t'], note: 'hi' },
      { id: 'b', n: null, ok: false },
    ]);

    expect(text).toBe('a\t1\tt\t{"x":1}\t{"t"}\thi\nb\t\\N\tf\t\\N\t\\N\t\\N\n');
  });

  it('escapes backslash, tab, newline and carriage return in every kind of column', () => {
    const text = encodeCopyRows(shape, [{ id: 'a', properties: { s: 'a\tb' }, tags: ['x\ny'], note: 'c:\\dir\r\n' }]);

    // JSON's own `\t` escape gets its backslash doubled; raw control characters become COPY escapes.
    expect(text).toBe([String.raw`a`, String.raw`\N`, String.raw`\N`, String.raw`{"s":"a\\tb"}`, String.raw`{"x\ny"}`, String.raw`c:\\dir\r\n`].join('\t') + '\n');
  });

  it('keeps an empty string distinct from NULL', () => {
    expect(encodeCopyRows(shape, [{ id: 'a', note: '' }])).toBe('a\t\\N\t\\N\t\\N\t\\N\t\n');
  });

  it('writes Dates as ISO 8601 and nothing for no rows', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    expect(encodeCopyRows(shape, [{ id: 'a', note: at }])).toBe('a\t\\N\t\\N\t\\N\t\\N\t2026-01-02T03:04:05.678Z\n');
    expect(encodeCopyRows(shape, [])).toBe('');
  });
});

describe('arrayLiteral', () => {
  it('quotes every element, escapes quotes and backslashes, and writes NULL unquoted', () => {
    expect(arrayLiteral(['a', 'b"c', 'd\\e', null, 'NULL', '{x,y}'])).toBe('{"a","b\\"c","d\\\\e",NULL,"NULL","{x,y}"}');
    expect(arrayLiteral([])).toBe('{}');
  });
});

describe('pgText and jsonText', () => {
  it('replace U+0000, which PostgreSQL text and jsonb refuse', () => {
    expect(pgText('a\0b')).toBe(`a${NUL_REPLACEMENT}b`);
    expect(pgText('clean')).toBe('clean');
    expect(JSON.parse(jsonText({ 'k\0': ['v\0', { deep: 'w\0' }] })!)).toEqual({
      [`k${NUL_REPLACEMENT}`]: [`v${NUL_REPLACEMENT}`, { deep: `w${NUL_REPLACEMENT}` }],
    });
  });

  it('leaves a literal backslash-u0000 sequence alone', () => {
    expect(JSON.parse(jsonText({ s: '\\u0000' })!)).toEqual({ s: '\\u0000' });
  });

  it('gives null for undefined', () => {
    expect(jsonText(undefined)).toBeNull();
  });
});

describe('encodeCopyTable', () => {
  it('copies the columns the job names, in its order, with the same escaping as rows', () => {
    const { sql, body } = encodeCopyTable(shape, {
      columns: ['note', 'id', 'properties', 'tags'],
      values: [
        ['a\tb', 'x', { k: 'v\n' }, ['p', null]],
        [null, 'y', null, null],
      ],
    });

    expect(sql).toBe('COPY "analytics"."event_logs" ("note", "id", "properties", "tags") FROM STDIN');
    expect(body).toBe('a\\tb\tx\t{"k":"v\\\\n"}\t{"p",NULL}\n\\N\ty\t\\N\t\\N\n');
  });

  it('leaves out a column the table does not have', () => {
    const { sql, body } = encodeCopyTable(shape, { columns: ['id', 'unknown', 'n'], values: [['x', 'dropped', 3]] });

    expect(sql).toBe('COPY "analytics"."event_logs" ("id", "n") FROM STDIN');
    expect(body).toBe('x\t3\n');
  });
});

import { Readable } from 'node:stream';
import { payloadSize } from './payload-size';

describe('payloadSize', () => {
  it.each([
    ['a plain object', { model: 'gemini-2.5-flash', contents: [{ role: 'user', parts: [{ text: 'héllo' }] }], n: 3, ok: true, none: null }],
    ['an array with holes of undefined', [1, undefined, 'x', null, { a: undefined, b: 2 }]],
    ['a Date inside', { at: new Date('2026-01-02T03:04:05.678Z') }],
    ['nested empties', { a: {}, b: [], c: [[]] }],
  ])('equals the UTF-8 length of the JSON for %s', (_label, value) => {
    expect(payloadSize(value)).toBe(Buffer.byteLength(JSON.stringify(value)));
  });

  it('counts binary data by its length, without spelling it out', () => {
    const file = Buffer.alloc(30 * 1024 * 1024);
    expect(payloadSize({ file })).toBe(Buffer.byteLength('{"file":}') + file.length);
    expect(payloadSize(new Uint8Array(10))).toBe(10);
  });

  it('counts a string sent as it is by its UTF-8 bytes', () => {
    expect(payloadSize('héllo')).toBe(6);
  });

  it('is unknown for a stream or iterator, whose data comes later', () => {
    async function* chunks() {
      yield 'a';
    }
    function* items() {
      yield 1;
    }
    expect(payloadSize(chunks())).toBeUndefined();
    expect(payloadSize(items())).toBeUndefined();
    expect(payloadSize(Readable.from(['a']))).toBeUndefined();
    expect(payloadSize(new ReadableStream())).toBeUndefined();
    expect(payloadSize({ stream: Readable.from(['a']) })).toBeUndefined();
    expect(payloadSize([1, 2])).toBe(5);
    expect(payloadSize(new Set([1]))).toBe(2);
  });

  it('is unknown past 10,000 values, for a cycle, a BigInt or nothing at all', () => {
    expect(payloadSize(Array.from({ length: 20_000 }, (_, i) => i))).toBeUndefined();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(payloadSize(cyclic)).toBeUndefined();
    expect(payloadSize({ n: 1n })).toBeUndefined();
    expect(payloadSize(undefined)).toBeUndefined();
  });
});

import { BadRequestException } from '@nestjs/common';
import { DEFAULT_REDACT_KEYS } from '../options/analytics-options.defaults';
import { LIMITS, REDACTED, TRUNCATED_MARK } from './record-limits';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { RecordSanitizer, text, truncate } from './record-sanitizer';

describe('RecordSanitizer', () => {
  const sanitizer = new RecordSanitizer(DEFAULT_REDACT_KEYS);

  describe('redaction', () => {
    it.each(['Authorization', 'x-api-key', 'X-Api-Key', 'accessToken', 'user_password', 'PASSWORD', 'Set-Cookie', 'refresh_token', 'clientSecret', 'card number', 'passwordHash', 'password_confirmation', 'secretKey', 'passwdOld'])(
      'redacts %s',
      (key) => {
        expect(sanitizer.isSecretKey(key)).toBe(true);
        expect(sanitizer.json({ [key]: 'hunter2', other: 'kept' })).toEqual({ [key]: REDACTED, other: 'kept' });
      },
    );

    it.each(['inputTokens', 'outputTokens', 'maxTokens', 'tokenCount', 'userId', 'email'])('does not redact %s', (key) => {
      expect(sanitizer.isSecretKey(key)).toBe(false);
      expect(sanitizer.json({ [key]: 42 })).toEqual({ [key]: 42 });
    });

    it.each(['user[password]', 'token[]', 'api_key[0]', 'a[b][accessToken]'])('redacts the bracket-notation key %s', (key) => {
      expect(sanitizer.isSecretKey(key)).toBe(true);
    });

    it('keeps bracket-notation keys none of whose parts is secret', () => {
      expect(sanitizer.isSecretKey('filter[tokenCount]')).toBe(false);
      expect(sanitizer.isSecretKey('tag[]')).toBe(false);
    });

    it('stores a platform request or response by its class name: its raw headers hold credentials', () => {
      const req = new IncomingMessage(new Socket());
      req.rawHeaders.push('authorization', 'Bearer s3cret');
      expect(sanitizer.json({ req, id: 1 })).toEqual({ req: '[IncomingMessage]', id: 1 });
    });

    it('a thrown non-Error object becomes redacted JSON in error_message; Errors and strings keep their text', () => {
      const message = sanitizer.errorMessage({ status: 500, apiKey: 'k-123', config: { headers: { Authorization: 'Bearer t' } } });
      expect(JSON.parse(message)).toEqual({ status: 500, apiKey: REDACTED, config: { headers: { Authorization: REDACTED } } });
      expect(sanitizer.errorMessage(new Error('boom'))).toBe('boom');
      expect(sanitizer.errorMessage('plain')).toBe('plain');
    });

    it('an HttpException listing several messages (ValidationPipe) gives them all', () => {
      expect(sanitizer.errorMessage(new BadRequestException(['name must be a string', 'quantity must be an integer']))).toBe(
        'name must be a string; quantity must be an integer',
      );
      expect(sanitizer.errorMessage(new BadRequestException('one message'))).toBe('one message');
      expect(sanitizer.errorMessage(new BadRequestException({ message: [] }))).toBe('Bad Request Exception');
      const unreadable = Object.assign(new Error('fallback'), { getResponse: () => { throw new Error('no'); } });
      expect(sanitizer.errorMessage(unreadable)).toBe('fallback');
    });

    it('ValidationErrors passed on by an exceptionFactory give their constraint messages, never the values sent', () => {
      const errors = [
        { property: 'password', value: 'hunter2', target: { password: 'hunter2' }, constraints: { minLength: 'password is too short' } },
        { property: 'address', value: {}, children: [{ property: 'zip', value: 'x1', constraints: { isPostalCode: 'zip must be a postal code' } }] },
      ];
      const message = sanitizer.errorMessage(new BadRequestException(errors));
      expect(message).toBe('password is too short; address.zip must be a postal code');
      // Objects an app put in the list may hold what the client sent: left out.
      expect(sanitizer.errorMessage(new BadRequestException({ message: [{ field: 'email', value: 'bob@example.com' }] }))).toBe('Bad Request Exception');
      expect(sanitizer.errorMessage(new BadRequestException([{ property: 'email', constraints: {}, children: [] }]))).toBe('Bad Request Exception');
    });

    it('redacts at any depth and inside arrays', () => {
      const clean = sanitizer.json({
        headers: { Authorization: 'Bearer abc', accept: 'json' },
        users: [{ name: 'a', password: 'p1' }, { name: 'b', credentials: { apiKey: 'k' } }],
        a: { b: { c: { d: { token: 't' } } } },
      });

      expect(clean).toEqual({
        headers: { Authorization: REDACTED, accept: 'json' },
        users: [{ name: 'a', password: REDACTED }, { name: 'b', credentials: { apiKey: REDACTED } }],
        a: { b: { c: { d: { token: REDACTED } } } },
      });
    });

    it('redacts a whole secret object, not just its leaves', () => {
      expect(sanitizer.json({ secret: { nested: 'value' } })).toEqual({ secret: REDACTED });
    });

    it('redacts Map keys', () => {
      expect(sanitizer.json({ m: new Map([['password', 'p'], ['name', 'n']]) })).toEqual({ m: { password: REDACTED, name: 'n' } });
    });

    it('adds user keys, compared without case or separators', () => {
      const custom = new RecordSanitizer([...DEFAULT_REDACT_KEYS, 'session_id']);

      expect(custom.json({ sessionId: 's', 'Session-ID': 's', password: 'p', name: 'n' })).toEqual({
        sessionId: REDACTED,
        'Session-ID': REDACTED,
        password: REDACTED,
        name: 'n',
      });
      expect(sanitizer.json({ sessionId: 's' })).toEqual({ sessionId: 's' });
    });
  });

  describe('truncation', () => {
    it('cuts long strings to the limit and marks them', () => {
      const clean = sanitizer.json({ long: 'x'.repeat(LIMITS.jsonString + 500), short: 'y'.repeat(LIMITS.jsonString) }) as Record<string, string>;

      expect(clean.long).toHaveLength(LIMITS.jsonString);
      expect(clean.long.endsWith(TRUNCATED_MARK)).toBe(true);
      expect(clean.long.startsWith('x'.repeat(LIMITS.jsonString - TRUNCATED_MARK.length))).toBe(true);
      expect(clean.short).toBe('y'.repeat(LIMITS.jsonString));
    });

    it('keeps 100 items of a longer array and says how many were cut', () => {
      const clean = sanitizer.json({ items: Array.from({ length: 150 }, (_, i) => i) }) as { items: unknown[] };

      expect(clean.items).toHaveLength(101);
      expect(clean.items.slice(0, 100)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(clean.items[100]).toBe('[Truncated: 50 more items]');
    });

    it('keeps an array of exactly 100 items whole', () => {
      const items = Array.from({ length: 100 }, (_, i) => i);

      expect(sanitizer.json({ items })).toEqual({ items });
    });

    it('keeps 100 keys of a larger object and says how many were cut', () => {
      const big = Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`k${i}`, i]));
      const clean = sanitizer.json(big) as Record<string, unknown>;

      expect(Object.keys(clean)).toHaveLength(101);
      expect(clean.k99).toBe(99);
      expect(clean).not.toHaveProperty('k100');
      expect(clean._truncated).toBe('30 more keys');
    });

    it('stops descending past the depth limit', () => {
      let deep: Record<string, unknown> = { leaf: 'bottom' };
      for (let i = 0; i < 12; i++) deep = { n: deep };

      const clean = sanitizer.json(deep);

      let node: any = clean;
      for (let i = 0; i < LIMITS.jsonDepth; i++) node = node.n;
      expect(node).toBe('[Truncated: too deep]');
      expect(JSON.stringify(clean)).not.toContain('bottom');
    });

    it('replaces a value over 32,000 serialized characters with a marked preview', () => {
      const value = Array.from({ length: 30 }, (_, i) => `${i}`.padEnd(1900, 'z'));
      const fullLength = JSON.stringify(value).length;
      expect(fullLength).toBeGreaterThan(LIMITS.jsonTotal);

      const clean = sanitizer.json(value) as { _truncated: boolean; _originalLength: number; preview: string };

      expect(clean._truncated).toBe(true);
      expect(clean._originalLength).toBe(fullLength);
      expect(clean.preview).toBe(JSON.stringify(value).slice(0, LIMITS.jsonString) + TRUNCATED_MARK);
    });

    it('keeps a value just under the total limit as it is', () => {
      const value = Array.from({ length: 15 }, () => 'a'.repeat(1990));
      expect(JSON.stringify(value).length).toBeLessThanOrEqual(LIMITS.jsonTotal);

      expect(sanitizer.json(value)).toEqual(value);
    });
  });

  describe('awkward values', () => {
    it('replaces circular references with "[Circular]" without throwing', () => {
      const node: Record<string, unknown> = { name: 'root' };
      node.self = node;
      node.children = [node, { parent: node }];

      expect(sanitizer.json(node)).toEqual({ name: 'root', self: '[Circular]', children: ['[Circular]', { parent: '[Circular]' }] });
    });

    it('keeps an object that is referenced twice but not circularly', () => {
      const shared = { a: 1 };

      expect(sanitizer.json({ x: shared, y: [shared, shared] })).toEqual({ x: { a: 1 }, y: [{ a: 1 }, { a: 1 }] });
    });

    it('turns BigInts into strings', () => {
      expect(sanitizer.json({ big: 12345678901234567890n })).toEqual({ big: '12345678901234567890' });
    });

    it('keeps the name, message and own fields of an Error, redacted', () => {
      const error = Object.assign(new TypeError('boom'), { code: 'E_BOOM', token: 'secret-token' });

      expect(sanitizer.json({ error })).toEqual({ error: { name: 'TypeError', message: 'boom', code: 'E_BOOM', token: REDACTED } });
    });

    it('writes Dates as ISO strings and invalid Dates as null', () => {
      expect(sanitizer.json({ at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), bad: new Date('nope') })).toEqual({
        at: '2024-01-02T03:04:05.000Z',
        bad: null,
      });
    });

    it('describes Buffers and typed arrays instead of dumping them', () => {
      expect(sanitizer.json({ buf: Buffer.from('hello'), bytes: new Uint8Array(3) })).toEqual({
        buf: '[Binary 5 bytes]',
        bytes: '[Binary 3 bytes]',
      });
    });

    it('turns Maps into objects and Sets into arrays', () => {
      expect(sanitizer.json({ m: new Map<string, unknown>([['a', 1], ['b', new Set(['x'])]]), s: new Set([1, 2, 2, 3]) })).toEqual({
        m: { a: 1, b: ['x'] },
        s: [1, 2, 3],
      });
    });

    it('drops functions and undefined from objects, nulls them in arrays', () => {
      expect(sanitizer.json({ f: () => 1, u: undefined, list: [undefined, () => 1, 1] })).toEqual({ list: [null, null, 1] });
    });

    it('writes non-finite numbers, symbols and RegExps as strings', () => {
      expect(sanitizer.json({ nan: NaN, inf: Infinity, sym: Symbol('s'), re: /a+/gi })).toEqual({
        nan: 'NaN',
        inf: 'Infinity',
        sym: 'Symbol(s)',
        re: '/a+/gi',
      });
    });

    it('uses toJSON when an object has one', () => {
      expect(sanitizer.json({ v: { toJSON: () => ({ password: 'p', ok: true }) } })).toEqual({ v: { password: REDACTED, ok: true } });
    });

    it('survives a getter that throws', () => {
      const tricky = Object.defineProperty({ fine: 1 }, 'broken', {
        enumerable: true,
        get() {
          throw new Error('nope');
        },
      });

      expect(sanitizer.json(tricky)).toEqual({ fine: 1, broken: '[Unreadable]' });
    });

    it('returns null for null and undefined', () => {
      expect(sanitizer.json(null)).toBeNull();
      expect(sanitizer.json(undefined)).toBeNull();
    });
  });

  describe('text()', () => {
    it('stringifies, truncates and keeps null', () => {
      expect(text(42, 10)).toBe('42');
      expect(text(undefined, 10)).toBeNull();
      expect(text(null, 10)).toBeNull();
      expect(text('a'.repeat(50), 20)).toBe('a'.repeat(20 - TRUNCATED_MARK.length) + TRUNCATED_MARK);
      expect(truncate('short', 20)).toBe('short');
    });
  });

  describe('secrets inside long values', () => {
    const wellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();

    it('marks a cut string as cut, and keeps it well-formed, however much the redactions shortened it', () => {
      const note = `password=${'x'.repeat(600)} ${'a'.repeat(1_901)}\u{1F600}${'b'.repeat(600)}`;
      const { note: stored } = sanitizer.json({ note }) as { note: string };
      expect(stored.endsWith(TRUNCATED_MARK)).toBe(true);
      expect(wellFormed(stored)).toBe(true);
      expect(stored.length).toBeLessThanOrEqual(LIMITS.jsonString);
      const message = sanitizer.text(`Bearer ${'T0k'.repeat(1_000)} ${'m'.repeat(10_000)}`, LIMITS.text)!;
      expect(message.startsWith(`Bearer ${REDACTED} m`)).toBe(true);
      expect(message.endsWith(TRUNCATED_MARK)).toBe(true);
    });

    it('never keeps part of a secret that the cut of a very long string fell into', () => {
      const message = sanitizer.text(`${'a'.repeat(9_990)} conn postgres://app:hunter2@db/x ${'z'.repeat(1_000)}`, LIMITS.text)!;
      expect(message).not.toContain('hunter2');
      expect(message.endsWith(TRUNCATED_MARK)).toBe(true);
    });
  });

  describe('values that throw when read', () => {
    it('stores a Proxy whose traps throw, or a revoked one, as "[Unreadable]" and keeps the rest', () => {
      const hostile = new Proxy({}, { ownKeys: () => { throw new Error('no'); } });
      const { proxy: revoked, revoke } = Proxy.revocable({}, {});
      revoke();
      expect(sanitizer.json({ hostile, revoked, kept: 1 })).toEqual({ hostile: '[Unreadable]', revoked: '[Unreadable]', kept: 1 });
    });

    it('ends a toJSON that returns a new object each time at the depth limit', () => {
      const endless = (): object => ({ toJSON: endless });
      expect(JSON.stringify(sanitizer.json({ endless: endless() }))).toContain('[Truncated: too deep]');
    });
  });

  describe('well-formed text for jsonb', () => {
    const EMOJI = '\u{1F600}';

    it('never cuts a surrogate pair in half', () => {
      const cut = truncate('a' + EMOJI.repeat(50), 22);
      expect(cut.endsWith(TRUNCATED_MARK)).toBe(true);
      expect((cut as any).isWellFormed()).toBe(true);
      const json = sanitizer.json({ q: 'a' + EMOJI.repeat(LIMITS.jsonString) }) as { q: string };
      expect((json.q as any).isWellFormed()).toBe(true);
    });

    it('replaces lone surrogates in values and keys', () => {
      expect(sanitizer.json({ s: 'x\ud800', ['k\udc00']: 1 })).toEqual({ s: 'x\ufffd', ['k\ufffd']: 1 });
    });

    it('keeps the preview of an oversized value well-formed', () => {
      const big = sanitizer.json({ lis: Array.from({ length: 99 }, () => EMOJI.repeat(999) + 'a') }) as { preview: string };
      expect((big.preview as any).isWellFormed()).toBe(true);
    });
  });
});

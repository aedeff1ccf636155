import { createHmac } from 'node:crypto';
import { hmacSha256Hex, isSubjectHash } from './identifier-hasher';

describe('hmacSha256Hex', () => {
  it('matches the published HMAC-SHA256 test vector', () => {
    expect(hmacSha256Hex('key', 'The quick brown fox jumps over the lazy dog')).toBe(
      'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
  });

  it('matches RFC 4231 test case 2', () => {
    expect(hmacSha256Hex('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('hashes the UTF-8 bytes of the value', () => {
    const utf8Bytes = Buffer.from([0x75, 0x73, 0x65, 0x72, 0xc3, 0xa9]); // "useré"

    expect(hmacSha256Hex('key', 'useré')).toBe(createHmac('sha256', 'key').update(utf8Bytes).digest('hex'));
  });

  it('depends on the key and on the value', () => {
    const base = hmacSha256Hex('key-one-0123456789', 'user@example.com');

    expect(hmacSha256Hex('key-one-0123456789', 'user@example.com')).toBe(base);
    expect(hmacSha256Hex('key-two-0123456789', 'user@example.com')).not.toBe(base);
    expect(hmacSha256Hex('key-one-0123456789', 'User@example.com')).not.toBe(base);
  });

  it('produces what isSubjectHash accepts', () => {
    expect(isSubjectHash(hmacSha256Hex('k', 'v'))).toBe(true);
  });
});

describe('isSubjectHash', () => {
  const valid = 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8';

  it('accepts 64 lowercase hex characters', () => {
    expect(isSubjectHash(valid)).toBe(true);
    expect(isSubjectHash('0'.repeat(64))).toBe(true);
  });

  it.each([
    ['63 characters', valid.slice(1)],
    ['65 characters', `${valid}0`],
    ['a non-hex character', `${valid.slice(1)}g`],
    ['upper case', valid.toUpperCase()],
    ['surrounding whitespace', ` ${valid}`],
    ['a trailing newline', `${valid}\n`],
    ['an e-mail', 'user@example.com'],
    ['an empty string', ''],
  ])('refuses %s', (_label, value) => {
    expect(isSubjectHash(value)).toBe(false);
  });

  it.each([null, undefined, 42, { hash: valid }, [valid]])('refuses the non-string %p', (value) => {
    expect(isSubjectHash(value)).toBe(false);
  });
});

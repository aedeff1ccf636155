import { createHmac } from 'node:crypto';

const HEX_64 = /^[0-9a-f]{64}$/;

/** HMAC-SHA256 of `value` with `key`, as 64 lowercase hex characters. */
export function hmacSha256Hex(key: string, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}

/** True for what `hashIdentifier()` produces. */
export function isSubjectHash(value: unknown): value is string {
  return typeof value === 'string' && HEX_64.test(value);
}

import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { errorMessageOf } from '../capture/observe-call';
import { LIMITS, REDACTED, TRUNCATED_MARK } from './record-limits';
import { SecretKeys } from './secret-keys';
import { SecretScrubber } from './secret-scrubber';

/**
 * Turns any value into JSON-safe data before it is queued: keys listed in `redactKeys`
 * become `"[REDACTED]"`, secrets inside strings (a JWT, an API key, `?key=…` in a URL) are
 * replaced by it, oversized strings/arrays/objects are truncated and marked, and circular
 * references, BigInts, Errors, Buffers, Maps and Sets never throw.
 */
export class RecordSanitizer {
  private readonly keys: SecretKeys;
  private readonly scrubber: SecretScrubber;

  constructor(redactKeys: readonly string[]) {
    this.keys = new SecretKeys(redactKeys);
    this.scrubber = new SecretScrubber(this.keys);
  }

  /** True when a key names a secret (see `SecretKeys.isSecret`). */
  isSecretKey(key: string): boolean {
    return this.keys.isSecret(key);
  }

  /**
   * A free-text column value (`message`, `error_message`, `endpoint`, …): stringified, with
   * the secrets inside it replaced, truncated; or `null`.
   */
  text(value: unknown, max: number): string | null {
    if (value === undefined || value === null) return null;
    return this.scrubbed(typeof value === 'string' ? value : String(value), max);
  }

  /**
   * The `error_message` of a thrown value: an Error's message, a string as it is, and
   * anything else (an axios-style object, `throw { status, apiKey }`) as its JSON, redacted
   * and truncated like a JSON column, so that its secret keys never reach a table. The
   * factory's `text()` then replaces secrets inside it, as for any free-text column.
   */
  errorMessage(error: unknown): string {
    return this.messageList(error) ?? errorMessageOf(error instanceof Error || typeof error === 'string' ? error : this.json(error));
  }

  /**
   * The messages of a NestJS `HttpException` whose response lists several, joined with `; `,
   * where the exception's own message is only `Bad Request Exception`: `ValidationPipe`'s
   * `{ message: ['name must be a string', …] }`, or the `ValidationError`s a custom
   * `exceptionFactory` passes as they are, given by their constraint messages (never their
   * `value` or `target`, which hold what the client sent). Other items (objects an app put
   * there, which may hold what the client sent too) are left out; with nothing left, the
   * exception's own message stands.
   */
  private messageList(error: unknown): string | undefined {
    if (!(error instanceof Error) || typeof (error as { getResponse?: unknown }).getResponse !== 'function') return undefined;
    try {
      const response = (error as Error & { getResponse(): unknown }).getResponse();
      const list = Array.isArray(response) ? response : (response as { message?: unknown } | null)?.message;
      if (!Array.isArray(list) || list.length === 0) return undefined;
      const messages: string[] = [];
      for (const item of list) {
        if (typeof item === 'string') messages.push(item);
        else constraintMessages(item, '', messages);
      }
      return messages.length > 0 ? messages.join('; ') : undefined;
    } catch {
      return undefined;
    }
  }

  /** A thrown value described for a log line: its `errorMessage`, with the secrets inside it replaced, truncated. */
  logMessage(error: unknown): string {
    return this.scrubbed(this.errorMessage(error), LIMITS.text);
  }

  /**
   * Sanitizes one JSON column value; `undefined`/`null` stay `null`. `sizeBound`: what the
   * caller knows its serialized size cannot exceed; under the limit, the value is not
   * serialized again to check it.
   */
  json(value: unknown, sizeBound = Infinity): unknown {
    if (value === undefined || value === null) return null;
    const clean = this.walk(value, 0, new WeakSet());
    if (sizeBound <= LIMITS.jsonTotal) return clean;
    const text = JSON.stringify(clean);
    if (text === undefined) return null;
    if (text.length <= LIMITS.jsonTotal) return clean;
    return { _truncated: true, _originalLength: text.length, preview: truncate(text, LIMITS.jsonString + TRUNCATED_MARK.length) };
  }

  private walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
    switch (typeof value) {
      case 'string':
        return this.scrubbed(wellFormed(value), LIMITS.jsonString);
      case 'number':
        return Number.isFinite(value) ? value : String(value);
      case 'boolean':
        return value;
      case 'bigint':
        return value.toString();
      case 'undefined':
      case 'function':
        return undefined;
      case 'symbol':
        return value.toString();
    }
    if (value === null) return null;
    try {
      return this.walkObjectLike(value as object, depth, seen);
    } catch {
      // A Proxy whose traps throw, a revoked one, a toJSON that throws: that value is lost, not the record.
      return '[Unreadable]';
    }
  }

  private walkObjectLike(obj: object, depth: number, seen: WeakSet<object>): unknown {
    if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
    if (obj instanceof RegExp) return String(obj);
    if (Buffer.isBuffer(obj) || ArrayBuffer.isView(obj)) return `[Binary ${(obj as ArrayBufferView).byteLength} bytes]`;
    // A platform request or response (an @Req() argument): its raw headers hold credentials.
    if (obj instanceof IncomingMessage || obj instanceof ServerResponse || obj instanceof Socket) return `[${obj.constructor.name}]`;
    if (seen.has(obj)) return '[Circular]';
    if (depth >= LIMITS.jsonDepth) return '[Truncated: too deep]';
    seen.add(obj);
    try {
      if (Array.isArray(obj) || obj instanceof Set) return this.walkArray([...obj], depth, seen);
      if (obj instanceof Map) return this.walkObject(Object.fromEntries(obj), depth, seen);
      if (obj instanceof Error) {
        const { name, message } = obj;
        return this.walkObject({ name, message, ...(obj as any) }, depth, seen);
      }
      if (typeof (obj as any).toJSON === 'function') {
        // One level deeper: a toJSON that returns a new object each time ends at the depth limit.
        return this.walk((obj as any).toJSON(), depth + 1, seen);
      }
      return this.walkObject(obj as Record<string, unknown>, depth, seen);
    } finally {
      seen.delete(obj);
    }
  }

  private walkArray(items: unknown[], depth: number, seen: WeakSet<object>): unknown[] {
    const out = items.slice(0, LIMITS.jsonItems).map((item) => {
      const v = this.walk(item, depth + 1, seen);
      return v === undefined ? null : v;
    });
    if (items.length > LIMITS.jsonItems) out.push(`[Truncated: ${items.length - LIMITS.jsonItems} more items]`);
    return out;
  }

  private walkObject(obj: Record<string, unknown>, depth: number, seen: WeakSet<object>): Record<string, unknown> {
    // No prototype: a key named `__proto__` is kept as data, never taken for the prototype.
    const out: Record<string, unknown> = Object.create(null);
    const keys = Object.keys(obj);
    for (const key of keys.slice(0, LIMITS.jsonKeys)) {
      if (this.keys.isSecret(key)) {
        out[key] = REDACTED;
        continue;
      }
      let v: unknown;
      try {
        v = obj[key];
      } catch {
        v = '[Unreadable]';
      }
      const clean = this.walk(v, depth + 1, seen);
      if (clean !== undefined) out[wellFormed(key)] = clean;
    }
    if (keys.length > LIMITS.jsonKeys) out._truncated = `${keys.length - LIMITS.jsonKeys} more keys`;
    return out;
  }

  /**
   * Scrubbed, then cut to `max`. A string longer than `max` + 512 has only that head
   * scrubbed, so a huge string costs no more than a long one; its last 512 scrubbed
   * characters are then never kept (a secret cut at the end of the head was not seen
   * whole), and the result is always marked as cut, however much the redactions shortened it.
   */
  private scrubbed(value: string, max: number): string {
    if (value.length <= max + SCRUB_MARGIN) return truncate(this.scrubber.scrub(value), max);
    const head = this.scrubber.scrub(value.slice(0, max + SCRUB_MARGIN));
    return cut(head, Math.min(max, head.length - SCRUB_MARGIN + TRUNCATED_MARK.length));
  }
}

/** Characters scrubbed past the cut of a long string, so that a secret cut in two is recognised whole. */
const SCRUB_MARGIN = 512;

/**
 * Cuts a string to `max` characters, marking the cut. Never between the two halves of a
 * surrogate pair (an emoji): PostgreSQL refuses a lone half in `jsonb`, failing the batch.
 */
export function truncate(value: string, max: number): string {
  return value.length <= max ? value : cut(value, max);
}

/** The start of `value` and the mark, `max` characters at most, never ending in half a surrogate pair. */
function cut(value: string, max: number): string {
  let end = Math.max(0, max - TRUNCATED_MARK.length);
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return value.slice(0, end) + TRUNCATED_MARK;
}

type WellFormedString = string & { isWellFormed(): boolean; toWellFormed(): string };

/** The string with any lone surrogate replaced by U+FFFD, as `jsonb` accepts only well-formed text. */
function wellFormed(value: string): string {
  const s = value as WellFormedString;
  return s.isWellFormed() ? value : s.toWellFormed();
}

/** A free-text column value: stringified, truncated, or `null`. */
export function text(value: unknown, max: number): string | null {
  if (value === undefined || value === null) return null;
  return truncate(typeof value === 'string' ? value : String(value), max);
}

/**
 * Adds the constraint messages of a class-validator `ValidationError` (and of its children,
 * prefixed with the parent's property, as `ValidationPipe` does); nothing for anything else.
 */
function constraintMessages(item: unknown, prefix: string, into: string[]): void {
  const error = item as { property?: unknown; constraints?: unknown; children?: unknown } | null;
  if (typeof error !== 'object' || error === null || typeof error.property !== 'string') return;
  const { constraints, children } = error;
  if (typeof constraints === 'object' && constraints !== null) {
    for (const message of Object.values(constraints)) if (typeof message === 'string') into.push(prefix + message);
  }
  if (Array.isArray(children)) for (const child of children) constraintMessages(child, `${prefix}${error.property}.`, into);
}

/** Text PostgreSQL accepts: it refuses U+0000 in text and the escape `\\u0000` in jsonb. */

/** PostgreSQL text cannot hold U+0000; it is stored as U+FFFD instead of failing the batch. */
export const NUL_REPLACEMENT = '\uFFFD';

/** A string as PostgreSQL accepts it in any text value: U+0000 replaced. */
export function pgText(text: string): string {
  return text.includes('\0') ? text.replace(/\0/g, NUL_REPLACEMENT) : text;
}

/**
 * JSON text for a `jsonb` column. jsonb refuses the escape `\u0000`, so strings (and keys)
 * holding U+0000 are re-serialised with it replaced. `undefined` gives `null`.
 */
export function jsonText(value: unknown): string | null {
  const text = JSON.stringify(value);
  if (text === undefined) return null;
  // Also matches an escaped backslash followed by `u0000`; that only costs the slower path.
  if (!text.includes('\\u0000')) return text;
  return JSON.stringify(withoutNul(value));
}

/** A copy of a JSON value with U+0000 replaced in every string and key. */
function withoutNul(value: unknown): unknown {
  if (typeof value === 'string') return pgText(value);
  if (Array.isArray(value)) return value.map(withoutNul);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [pgText(k), withoutNul(v)]));
  }
  return value;
}

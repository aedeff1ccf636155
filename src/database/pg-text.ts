/** Text PostgreSQL accepts: it refuses U+0000 in text and the escape `\\u0000` in jsonb. */

/** PostgreSQL text cannot hold U+0000; it is stored as U+FFFD instead of failing the batch. */
export const NUL_REPLACEMENT = '\uFFFD';

const withoutNul = (_key: string, value: unknown) => (typeof value === 'string' ? value.replace(/\0/g, NUL_REPLACEMENT) : value);

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
  const keysFixed = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(keysFixed);
    if (v && typeof v === 'object' && !(v instanceof Date)) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [pgText(k), keysFixed(x)]));
    }
    return v;
  };
  return JSON.stringify(keysFixed(value), withoutNul);
}


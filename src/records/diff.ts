/** One changed field: its value before and after. */
export interface FieldChange {
  from: unknown;
  to: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

const same = (a: unknown, b: unknown): boolean => {
  if (Object.is(a, b)) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
};

/**
 * Field-level diff of two states, keyed by dotted path (`address.city`). Arrays and
 * scalars are compared whole; nested objects are walked.
 *
 * @example diffStates({ name: 'a', tags: [1] }, { name: 'b', tags: [1] }) // { name: { from: 'a', to: 'b' } }
 */
export function diffStates(before: unknown, after: unknown, prefix = '', out: Record<string, FieldChange> = {}, depth = 0): Record<string, FieldChange> {
  if (isObject(before) && isObject(after) && depth < 8) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      diffStates(before[key], after[key], prefix ? `${prefix}.${key}` : key, out, depth + 1);
    }
    return out;
  }
  if (!same(before, after)) out[prefix || '$'] = { from: before ?? null, to: after ?? null };
  return out;
}

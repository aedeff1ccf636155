import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** Request lines of a JSON-lines log file, by request path. */
export interface LogLineCount {
  /** Lines that carry a request path (start-up and other lines are not counted). */
  total: number;
  byPath: Map<string, number>;
}

/**
 * Counts the JSON lines of `file` whose `field` (a dotted path such as `req.url`) holds a
 * request path; the query string is dropped. A missing file counts as NaN, so it cannot
 * pass for "nothing was lost".
 */
export async function countLogLines(file: string, field: string): Promise<LogLineCount> {
  const keys = field.split('.');
  const byPath = new Map<string, number>();
  if (!existsSync(file)) return { total: NaN, byPath };
  let total = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    const url = valueAt(parse(line), keys);
    if (typeof url !== 'string') continue;
    const path = url.split('?', 1)[0];
    byPath.set(path, (byPath.get(path) ?? 0) + 1);
    total++;
  }
  return { total, byPath };
}

function parse(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    // A line cut short by a crash is not a stored record.
    return undefined;
  }
}

function valueAt(value: unknown, keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

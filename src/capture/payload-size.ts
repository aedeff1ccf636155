/** Values a size estimate visits at most; past that the size is unknown. */
const MAX_VALUES = 10_000;

class TooLarge extends Error {}

/**
 * A stream or iterator whose data comes later: a Node stream, a web `ReadableStream`, an
 * async iterable (an SDK's streamed answer), a generator. Arrays, Maps and Sets are data.
 */
function isStream(obj: Record<string | symbol, unknown>): boolean {
  return (
    typeof obj[Symbol.asyncIterator] === 'function' ||
    typeof obj.getReader === 'function' ||
    (typeof obj.pipe === 'function' && typeof obj.on === 'function') ||
    (typeof obj.next === 'function' && typeof obj[Symbol.iterator] === 'function')
  );
}

/**
 * About how many bytes `value` takes as a request or response payload, without building it:
 * a string sent as it is in UTF-8, binary data (Buffers, typed arrays, ArrayBuffers) by its
 * length, and anything else as the length of its JSON (string escapes aside).
 * `JSON.stringify` of a 30 MB Buffer argument held the event loop for seconds, as Buffer's
 * `toJSON` spells every byte out as a number. Walks at most 10,000 values; `undefined` past
 * that, for a cycle, for a stream or iterator (its data comes later), or when nothing would be sent.
 */
export function payloadSize(value: unknown): number | undefined {
  let visited = 0;
  const path = new Set<object>();
  const size = (v: unknown, inArray: boolean): number | undefined => {
    if (++visited > MAX_VALUES) throw new TooLarge();
    switch (typeof v) {
      case 'string':
        return Buffer.byteLength(v) + 2;
      case 'number':
        return Number.isFinite(v) ? String(v).length : 4;
      case 'boolean':
        return v ? 4 : 5;
      case 'bigint':
        throw new TooLarge(); // JSON.stringify throws on a BigInt: no size, as before
      case 'undefined':
      case 'function':
      case 'symbol':
        return inArray ? 4 : undefined;
    }
    if (v === null) return 4;
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return v.byteLength;
    const obj = v as Record<string, unknown> & { toJSON?: () => unknown };
    if (isStream(obj)) throw new TooLarge(); // its size is only known once it has been read
    if (path.has(obj)) throw new TooLarge();
    path.add(obj);
    try {
      if (typeof obj.toJSON === 'function') return size(obj.toJSON(), inArray);
      if (Array.isArray(obj)) {
        let n = 2 + Math.max(0, obj.length - 1);
        for (const item of obj) n += size(item, true) ?? 4;
        return n;
      }
      let n = 2;
      let fields = 0;
      for (const key of Object.keys(obj)) {
        const s = size(obj[key], false);
        if (s === undefined) continue;
        n += Buffer.byteLength(key) + 3 + s;
        fields++;
      }
      return n + Math.max(0, fields - 1);
    } finally {
      path.delete(obj);
    }
  };
  if (typeof value === 'string') return Buffer.byteLength(value);
  try {
    return value === undefined ? undefined : size(value, false);
  } catch {
    return undefined;
  }
}

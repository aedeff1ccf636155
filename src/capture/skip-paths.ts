/**
 * Compiles `skipPaths` into one predicate. Strings are prefixes matched by whole
 * segments: `/health` skips `/health` and `/health/live`, not `/healthy`.
 */
export function compileSkipPaths(patterns: ReadonlyArray<string | RegExp>): (path: string) => boolean {
  const prefixes = patterns.filter((p): p is string => typeof p === 'string').map((p) => (p.length > 1 ? p.replace(/\/+$/, '') : p));
  const regexps = patterns.filter((p): p is RegExp => p instanceof RegExp);
  if (prefixes.length === 0 && regexps.length === 0) return () => false;
  return (path) => {
    for (const prefix of prefixes) {
      if (prefix === '/') return true;
      if (path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 47)) return true;
    }
    for (const re of regexps) {
      re.lastIndex = 0;
      if (re.test(path)) return true;
    }
    return false;
  };
}

/**
 * Environment variables that stand in for options the user did not set.
 * Returns the values and, for error messages, which variable each came from.
 */
export function readEnvOverrides(
  env: NodeJS.ProcessEnv,
  user: Record<string, any>,
): { values: Record<string, any>; sources: Map<string, string> } {
  const values: Record<string, any> = { database: {}, redis: {}, flush: {}, sampling: {}, worker: {} };
  const sources = new Map<string, string>();
  const set = (path: string, variable: string, parse: (raw: string) => unknown) => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return;
    const [head, leaf] = path.split('.');
    const userValue = leaf ? user[head]?.[leaf] : user[head];
    if (userValue !== undefined) return;
    if (leaf) values[head][leaf] = parse(raw);
    else values[head] = parse(raw);
    sources.set(path, variable);
  };

  set('enabled', 'ANALYTICS_ENABLED', parseBoolean);
  if (!user.database?.host) set('database.url', 'ANALYTICS_DATABASE_URL', String);
  if (!user.redis?.host && user.redis?.cluster === undefined) set('redis.url', 'ANALYTICS_REDIS_URL', String);
  if (!user.redis?.host && !user.redis?.url) {
    set('redis.cluster', 'ANALYTICS_REDIS_CLUSTER_NODES', (raw) => ({ nodes: parseList(raw) }));
    if (sources.has('redis.cluster')) sources.set('redis.cluster.nodes', 'ANALYTICS_REDIS_CLUSTER_NODES');
  }
  set('flush.strategy', 'ANALYTICS_FLUSH_STRATEGY', (raw) => raw.trim().toLowerCase());
  set('flush.intervalMs', 'ANALYTICS_FLUSH_INTERVAL_SECONDS', (raw) => {
    const seconds = Number(raw);
    return Number.isFinite(seconds) ? Math.round(seconds * 1000) : raw;
  });
  set('flush.countThreshold', 'ANALYTICS_FLUSH_COUNT_THRESHOLD', parseNumber);
  set('sampling.enabled', 'ANALYTICS_ENABLE_SAMPLING', parseBoolean);
  set('sampling.rate', 'ANALYTICS_SAMPLING_RATE', parseNumber);
  set('trackAuthenticatedOnly', 'ANALYTICS_TRACK_AUTHENTICATED_ONLY', parseBoolean);
  set('hashKey', 'ANALYTICS_HASH_KEY', String);
  set('worker.enabled', 'ANALYTICS_WORKER_ENABLED', parseBoolean);
  return { values, sources };
}

/** `a, b,c` → `['a', 'b', 'c']`; empty entries are kept out. */
function parseList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** `true/false/1/0/yes/no/on/off`; anything else is kept as the raw string so validation names it. */
function parseBoolean(raw: string): boolean | string {
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return raw;
}

function parseNumber(raw: string): number | string {
  const n = Number(raw);
  return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
}

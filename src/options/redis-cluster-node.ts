/** A Redis Cluster startup node, as ioredis takes it. */
export interface ClusterNodeAddress {
  host: string;
  port: number;
}

const isPort = (port: unknown): port is number =>
  typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535;

/**
 * Reads one entry of `redis.cluster.nodes`: `'host:port'` (`'[::1]:7000'` for IPv6) or
 * `{ host, port }`. Returns `undefined` when the entry is neither.
 */
export function parseClusterNode(node: unknown): ClusterNodeAddress | undefined {
  if (typeof node === 'string') {
    const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(node.trim());
    if (!match) return undefined;
    const port = Number(match[3]);
    return isPort(port) ? { host: match[1] ?? match[2], port } : undefined;
  }
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
  const { host, port, ...rest } = node as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || typeof host !== 'string' || host.trim() === '' || !isPort(port)) return undefined;
  return { host, port };
}

/**
 * True when Redis Cluster would hash every key that starts with `prefix` to one slot: the
 * prefix holds a `{…}` hash tag, i.e. a non-empty part between its first `{` and the next `}`.
 */
export const hasHashTag = (prefix: string): boolean => /^[^{]*\{[^}]+\}/.test(prefix);

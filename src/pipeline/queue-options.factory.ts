import type { BullModuleOptions } from '@nestjs/bull';
import type { ClusterNode, ClusterOptions, RedisOptions } from 'ioredis';
import type { RedisClusterOptionsSchema, ResolvedAnalyticsOptions } from '../options/analytics-options.schema';
import { parseClusterNode } from '../options/redis-cluster-node';
import { BullConnectionType, RedisClientRegistry } from './redis-client.registry';

/**
 * The name a connection gives itself (`CLIENT SETNAME`), so that `CLIENT LIST` shows which
 * queue and which connection it is: `nestjs-analytics:<queueName>:client|subscriber`.
 * The blocking connection keeps the name Bull gives it (`bull:<queueName in base64>`),
 * which `queue.getWorkers()` reads.
 */
export function connectionName(queueName: string, type: BullConnectionType): string | undefined {
  if (type === 'bclient') return undefined;
  // Redis refuses names with spaces, newlines or anything outside printable ASCII.
  return `nestjs-analytics:${queueName}:${type}`.replace(/[^!-~]/g, '_');
}

/** Bull queue options for the analytics queue, from the module options. */
export function createQueueOptions(options: ResolvedAnalyticsOptions, registry: RedisClientRegistry): BullModuleOptions {
  const { url, host, port, password, db, prefix, cluster } = options.redis;
  const redis: RedisOptions = url ? redisOptionsFromUrl(url) : { host: host ?? '127.0.0.1', port: port ?? 6379 };
  if (password !== undefined) redis.password = password;
  if (db !== undefined) redis.db = db;
  const { queueName } = options;
  const createClient: BullModuleOptions['createClient'] = cluster
    ? clusterClientFactory(cluster, password, registry, queueName)
    : (type, config) => registry.create(type, { ...redis, ...config, connectionName: connectionName(queueName, type) });
  return {
    name: queueName,
    prefix,
    redis,
    // The version check would open a connection before the module's error listener is attached.
    skipVersionCheck: true,
    createClient,
    defaultJobOptions: {
      attempts: options.worker.attempts,
      backoff: { type: 'exponential', delay: options.worker.backoffMs },
      removeOnComplete: true,
      removeOnFail: false,
    },
  } as BullModuleOptions;
}

function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  const options: RedisOptions = {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
  };
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  const db = parsed.pathname.replace('/', '');
  if (db) options.db = Number(db);
  if (parsed.protocol === 'rediss:') options.tls = {};
  return options;
}

/**
 * Bull's `createClient` for a Redis Cluster: every connection type is a `Cluster` (Bull's
 * config, made for one server, does not apply). The prefix's hash tag keeps the queue's
 * keys, and so its Lua scripts, in one slot.
 */
function clusterClientFactory(
  cluster: RedisClusterOptionsSchema,
  password: string | undefined,
  registry: RedisClientRegistry,
  queueName: string,
): NonNullable<BullModuleOptions['createClient']> {
  const nodes: ClusterNode[] = cluster.nodes.map((node) => parseClusterNode(node)!);
  const options: ClusterOptions = { ...cluster.options };
  if (password !== undefined) options.redisOptions = { password, ...options.redisOptions };
  return (type) => registry.createCluster(type, nodes, { ...options, redisOptions: { ...options.redisOptions, connectionName: connectionName(queueName, type) } });
}

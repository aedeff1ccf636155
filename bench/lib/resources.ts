import Redis from 'ioredis';
import { Client } from 'pg';

/** The PostgreSQL schemas and Redis keys a run creates, removed at the end. */
export class BenchResources {
  private readonly pg: Client;
  private readonly redis: Redis;
  private readonly schemas = new Set<string>();
  private readonly queues = new Set<string>();

  constructor(databaseUrl: string, redisUrl: string) {
    this.pg = new Client({ connectionString: databaseUrl });
    this.redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  }

  async open(): Promise<void> {
    await this.pg.connect();
    await this.redis.connect();
  }

  /** Remembers a schema to drop; creates it when the variant will not. */
  async schema(name: string, create: boolean): Promise<string> {
    this.schemas.add(name);
    if (create) await this.pg.query(`CREATE SCHEMA IF NOT EXISTS "${name}"`);
    return name;
  }

  queue(name: string): string {
    this.queues.add(name);
    return name;
  }

  /** Any SQL on the runner's own connection. */
  query(sql: string, params: unknown[] = []) {
    return this.pg.query(sql, params);
  }

  /** Rows in schema.table, or NaN when the table does not exist. */
  async count(schema: string, table: string): Promise<number> {
    try {
      const result = await this.pg.query(`SELECT count(*)::int AS n FROM "${schema}"."${table}"`);
      return result.rows[0].n;
    } catch {
      return NaN;
    }
  }

  /** Rows whose `column` equals `value`, or NaN when the table does not exist. */
  async countWhere(schema: string, table: string, column: string, value: string): Promise<number> {
    try {
      const result = await this.pg.query(`SELECT count(*)::int AS n FROM "${schema}"."${table}" WHERE "${column}" = $1`, [value]);
      return result.rows[0].n;
    } catch {
      return NaN;
    }
  }

  /** Redis `used_memory` in bytes. */
  async redisUsedMemory(): Promise<number> {
    const info = await this.redis.info('memory');
    return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
  }

  async versions(): Promise<{ postgres: string; redis: string }> {
    const pg = await this.pg.query('SHOW server_version');
    const info = await this.redis.info('server');
    return { postgres: pg.rows[0].server_version, redis: /redis_version:(\S+)/.exec(info)?.[1] ?? '?' };
  }

  /** Drops one schema and the keys of one queue now (between rounds, to keep Redis and PostgreSQL small). */
  async release(schema: string | undefined, queue: string | undefined): Promise<void> {
    if (schema) {
      await this.pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      this.schemas.delete(schema);
    }
    if (queue) {
      await this.deleteKeys(`bull:${queue}:*`);
      this.queues.delete(queue);
    }
  }

  /** Drops whatever is left (after a failure too) and closes both connections. */
  async close(): Promise<void> {
    for (const schema of [...this.schemas]) await this.release(schema, undefined).catch(() => undefined);
    for (const queue of [...this.queues]) await this.release(undefined, queue).catch(() => undefined);
    await this.pg.end().catch(() => undefined);
    this.redis.disconnect();
  }

  private async deleteKeys(pattern: string): Promise<number> {
    let cursor = '0';
    let deleted = 0;
    // SCAN walks the keyspace once; bounded by the number of keys.
    for (let i = 0; i < 100_000; i++) {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) deleted += await this.redis.unlink(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
    return deleted;
  }
}

import { Client } from 'pg';
import { DATABASE_URL } from './test-names';
import { obliterateAndClose, openQueue } from './test-queue';

/** A plain pg connection to read what the module wrote, and drop the spec's schema afterwards. */
export class TestDatabase {
  private readonly client = new Client({ connectionString: DATABASE_URL });

  constructor(readonly schema: string) {}

  async connect(): Promise<this> {
    await this.client.connect();
    return this;
  }

  async rows<T = Record<string, any>>(table: string, where = 'true', params: unknown[] = []): Promise<T[]> {
    const result = await this.client.query(`SELECT * FROM "${this.schema}"."${table}" WHERE ${where} ORDER BY id`, params);
    return result.rows as T[];
  }

  async count(table: string): Promise<number> {
    const result = await this.client.query(`SELECT count(*)::int AS n FROM "${this.schema}"."${table}"`);
    return result.rows[0].n;
  }

  query(sql: string, params: unknown[] = []) {
    return this.client.query(sql, params);
  }

  /** Polls until `table` holds at least `n` rows, or throws after `timeoutMs`. */
  async waitForRows(table: string, n: number, timeoutMs = 20_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    while (Date.now() < deadline) {
      last = await this.count(table).catch(() => -1);
      if (last >= n) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Expected ${n} rows in ${this.schema}.${table} within ${timeoutMs} ms, found ${last}`);
  }

  async dropAndClose(): Promise<void> {
    await this.client.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`).catch(() => undefined);
    await this.client.end();
  }
}

/**
 * The usual resources of an end-to-end spec: a `TestDatabase` connected before its tests,
 * and after them its schema dropped and its queue's keys removed. Call it in a `describe`.
 */
export function useSpecResources(names: { schema: string; queueName: string }): TestDatabase {
  const db = new TestDatabase(names.schema);
  beforeAll(() => db.connect());
  afterAll(async () => {
    await db.dropAndClose();
    await obliterateAndClose(openQueue(names.queueName));
  });
  return db;
}

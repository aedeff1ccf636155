/**
 * Ingestion benchmark: rows/s of the module's batch writer beside raw `COPY`, raw multi-row
 * `INSERT` and TypeORM `insert().values()` of the same rows, in one run.
 *
 *   npm run bench:ingest                 # 200,000 rows per method
 *   BENCH_INGEST_ROWS=1000000 npm run bench:ingest
 *
 * Writes bench/results/ingest.md (and prints it). Uses its own schema, dropped at the end.
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { createDataSourceOptions } from '../src/database/analytics-data-source.options';
import { migrateWithLock } from '../src/database/schema-migrator';
import { AnalyticsDatabase } from '../src/database/analytics-database';
import { buildInsert, chunk, rowsPerStatement } from '../src/database/insert-statement.builder';
import { BatchWriter } from '../src/pipeline/batch-writer';
import { resolveAnalyticsOptions } from '../src/options/analytics-options.factory';
import { ApiAccessLog } from '../src/entities';
import type { RecordRow } from '../src/records/record.types';

const ROWS = Number(process.env.BENCH_INGEST_ROWS ?? 200_000);
const BATCH = Number(process.env.BENCH_INGEST_BATCH ?? 1000);
const URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SCHEMA = `bench_ingest_${Date.now().toString(36)}`;
const TABLE = `"${SCHEMA}"."api_access_logs"`;

/** Access-log rows as the producer makes them. */
function makeRows(n: number): RecordRow[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    id: uuidv7(),
    created_at: new Date(now - i).toISOString(),
    trace_id: null,
    request_id: `req-${i}`,
    user_id: `user-${i % 500}`,
    session_id: null,
    method: i % 5 === 0 ? 'POST' : 'GET',
    endpoint: `/items/${i % 1000}`,
    route: '/items/:id',
    handler: 'ItemsController.get',
    status_code: i % 50 === 0 ? 500 : 200,
    response_time_ms: (i % 97) / 3,
    ip_address: '127.0.0.1',
    user_agent: 'bench/1.0',
    request_size_bytes: null,
    response_size_bytes: 42,
    query_params: i % 3 === 0 ? { page: String(i % 7) } : null,
    error_message: i % 50 === 0 ? 'Internal Server Error' : null,
  }));
}

const COLUMNS = Object.keys(makeRows(1)[0]);

function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

async function timed(name: string, truncate: () => Promise<unknown>, count: () => Promise<number>, run: () => Promise<void>) {
  await truncate();
  const start = process.hrtime.bigint();
  await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const stored = await count();
  return { name, seconds, rowsPerSecond: ROWS / seconds, stored };
}

async function main() {
  const options = resolveAnalyticsOptions({ database: { url: URL, schema: SCHEMA }, runMigrations: true }, {});
  const dataSource = new DataSource(createDataSourceOptions(options.database));
  await dataSource.initialize();
  await migrateWithLock(dataSource);
  const database = new AnalyticsDatabase(dataSource, options);
  const writer = new BatchWriter(database);
  const pg = new Client({ connectionString: URL });
  await pg.connect();
  const truncate = () => pg.query(`TRUNCATE ${TABLE}`);
  const count = async () => (await pg.query(`SELECT count(*)::int AS n FROM ${TABLE}`)).rows[0].n as number;
  const rows = makeRows(ROWS);
  const batches = chunk(rows, BATCH);
  const results = [];
  try {
    results.push(
      await timed('raw COPY (pg-copy-streams, one stream)', truncate, count, async () => {
        const lines = function* () {
          for (const row of rows) yield COLUMNS.map((c) => copyText(row[c])).join('\t') + '\n';
        };
        await pipeline(Readable.from(lines()), pg.query(copyFrom(`COPY ${TABLE} (${COLUMNS.map((c) => `"${c}"`).join(', ')}) FROM STDIN`)));
      }),
    );
    results.push(
      await timed(`raw multi-row INSERT (pg, ${BATCH} rows per statement)`, truncate, count, async () => {
        const shape = database.shape('api_access_logs');
        for (const batch of batches) {
          for (const part of chunk(batch, rowsPerStatement(shape.columns.length))) {
            const { sql, params } = buildInsert(shape, part);
            await pg.query(sql, params);
          }
        }
      }),
    );
    results.push(
      await timed(`raw INSERT … SELECT FROM unnest() (pg, ${BATCH} rows per statement)`, truncate, count, async () => {
        const shape = database.shape('api_access_logs');
        const cols = shape.columns.map((c) => `"${c}"`).join(', ');
        const sql =
          `INSERT INTO ${TABLE} (${cols}) SELECT * FROM unnest(${shape.casts.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) ` +
          'ON CONFLICT DO NOTHING';
        for (const batch of batches) {
          const params = shape.columns.map((c, i) =>
            batch.map((r) => (r[c] === null || r[c] === undefined ? null : shape.json[i] ? JSON.stringify(r[c]) : r[c])),
          );
          await pg.query(sql, params);
        }
      }),
    );
    results.push(
      await timed(`TypeORM insert().values() (${BATCH} rows per call)`, truncate, count, async () => {
        const repository = dataSource.getRepository(ApiAccessLog);
        for (const batch of batches) {
          await repository
            .createQueryBuilder()
            .insert()
            .values(
              batch.map((r) => ({
                id: r.id,
                createdAt: new Date(r.created_at),
                requestId: r.request_id as string,
                userId: r.user_id as string,
                method: r.method as string,
                endpoint: r.endpoint as string,
                route: r.route as string,
                handler: r.handler as string,
                statusCode: r.status_code as number,
                responseTimeMs: r.response_time_ms as number,
                ipAddress: r.ip_address as string,
                userAgent: r.user_agent as string,
                responseSizeBytes: r.response_size_bytes as number,
                queryParams: r.query_params as never,
                errorMessage: r.error_message as string | null,
              })),
            )
            .orIgnore()
            .execute();
        }
      }),
    );
    results.push(
      await timed(`nestjs-analytics BatchWriter (one job of ${BATCH} rows at a time)`, truncate, count, async () => {
        for (const batch of batches) await writer.write({ api_access_logs: batch });
      }),
    );
  } finally {
    await pg.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    await pg.end();
    await dataSource.destroy();
  }
  const copy = results[0].rowsPerSecond;
  const typeorm = results[3].rowsPerSecond;
  const lines = [
    `# Ingestion benchmark`,
    '',
    `_Generated by \`npm run bench:ingest\` on ${new Date().toISOString()}; ${ROWS.toLocaleString('en')} api_access_logs rows per method, sequential batches of ${BATCH}, local PostgreSQL._`,
    '',
    '| method | seconds | rows/s | × COPY | × TypeORM | rows stored |',
    '|---|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.seconds.toFixed(2)} | ${Math.round(r.rowsPerSecond).toLocaleString('en')} | ${(r.rowsPerSecond / copy).toFixed(2)} | ${(r.rowsPerSecond / typeorm).toFixed(2)} | ${r.stored.toLocaleString('en')} |`,
    ),
    '',
    'Targets (issue #4): the module at least 0.6× COPY and 2× TypeORM `insert().values()`.',
    '',
  ];
  const report = lines.join('\n');
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'ingest.md'), report);
  console.log(report);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * Ingestion benchmark: how fast the worker turns queued records into rows, beside raw
 * `COPY`, raw multi-row `INSERT` and TypeORM `insert().values()` of the same rows, in one run.
 *
 *   npm run bench:ingest                       # 1,000,000 mixed records
 *   BENCH_INGEST_ROWS=200000 npm run bench:ingest
 *
 * The records are made by the module's own RecordFactory, mixed across the five tables
 * (bench/lib/mixed-records.ts). The worker method is the whole path: records go through the
 * module's buffer and producer into Bull first (not timed), then a worker is started and
 * timed until every record is persisted. Redis memory is read before, with the queue full,
 * and after the worker drained it.
 *
 * Writes bench/results/ingest.md and the ingestion section of BENCHMARKS.md.
 * Uses its own schema and queue, removed at the end.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Bull from 'bull';
import { AnalyticsModule, AnalyticsModuleOptions, AuditService } from '../src';
import { AnalyticsDatabase } from '../src/database/analytics-database';
import { buildCopy, encodeCopyRows } from '../src/database/copy-statement.builder';
import { buildInsert, chunk, rowsPerStatement } from '../src/database/insert-statement.builder';
import { BatchWriter } from '../src/pipeline/batch-writer';
import { encodeRecords } from '../src/pipeline/batch-encoder';
import { RecordSink } from '../src/pipeline/record-sink';
import { RecordRow, TABLE_NAMES, TableName } from '../src/records/record.types';
import { openMigratedSchema } from './lib/analytics-schema';
import { SERVICE_URLS } from './lib/env-settings';
import { MIX, mixedRecords } from './lib/mixed-records';
import { BenchResources } from './lib/resources';
import { machineInfo } from './lib/machine';
import { writeSection } from './lib/sections';

const ROWS = Number(process.env.BENCH_INGEST_ROWS ?? 1_000_000);
/** Rows per statement / call for the INSERT and TypeORM methods. */
const STATEMENT_ROWS = Number(process.env.BENCH_INGEST_STATEMENT ?? 1000);
const { databaseUrl: DATABASE_URL, redisUrl: REDIS_URL } = SERVICE_URLS;
const RUN = Date.now().toString(36);
const SCHEMA = `bench_ingest_${RUN}`;
const QUEUE = `bench-ingest-${RUN}`;

/** The module's options in this run: defaults, apart from the run's schema and queue. */
const moduleOptions = (worker: boolean): AnalyticsModuleOptions => ({
  database: { url: DATABASE_URL, schema: SCHEMA },
  redis: { url: REDIS_URL },
  queueName: QUEUE,
  // A process that only writes runs the worker on its main thread (the README's worker.ts).
  worker: { enabled: worker, thread: false },
});

interface Result {
  name: string;
  seconds: number;
  rowsPerSecond: number;
  stored: number;
}

async function main() {
  const resources = new BenchResources(DATABASE_URL, REDIS_URL);
  await resources.open();
  await resources.schema(SCHEMA, false);
  resources.queue(QUEUE);
  const { options, dataSource } = await openMigratedSchema(moduleOptions(false));
  const database = new AnalyticsDatabase(dataSource, options, false);
  const writer = new BatchWriter(database, options);
  const pg = new Client({ connectionString: DATABASE_URL });
  await pg.connect();
  const tables = [...TABLE_NAMES, 'event_dedup_keys'].map((t) => `"${SCHEMA}"."${t}"`).join(', ');
  const truncate = () => pg.query(`TRUNCATE ${tables}`);
  const stored = async () => {
    let n = 0;
    for (const t of TABLE_NAMES) n += (await pg.query(`SELECT count(*)::int AS n FROM "${SCHEMA}"."${t}"`)).rows[0].n;
    return n;
  };
  const timed = async (name: string, run: () => Promise<void>): Promise<Result> => {
    await truncate();
    await pg.query('CHECKPOINT');
    const start = process.hrtime.bigint();
    await run();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const result = { name, seconds, rowsPerSecond: ROWS / seconds, stored: await stored() };
    console.log(`${name}: ${Math.round(result.rowsPerSecond).toLocaleString('en')} rows/s (${result.stored} stored)`);
    return result;
  };

  console.log(`making ${ROWS.toLocaleString('en')} mixed records…`);
  const records = mixedRecords(options, ROWS);
  const byTable = new Map<TableName, RecordRow[]>(TABLE_NAMES.map((t) => [t, []]));
  for (const r of records) byTable.get(r.table)!.push(r.row);
  const results: Result[] = [];
  let memory: { before: number; full: number; drained: number; jobs: number } | undefined;
  let workerJobs = 0;
  let sizes: Array<{ table: string; rows: number; bytes: number }> | undefined;
  try {
    results.push(
      await timed('raw `COPY` (pg-copy-streams, one stream per table)', async () => {
        for (const [table, rows] of byTable) {
          const shape = database.shape(table);
          await pipeline(Readable.from(chunk(rows, 1000).map((part) => encodeCopyRows(shape, part))), pg.query(copyFrom(buildCopy(shape))));
        }
      }),
    );
    sizes = await tableSizes(pg);
    results.push(
      await timed(`raw multi-row \`INSERT\` (pg, ${STATEMENT_ROWS} rows per statement)`, async () => {
        for (const [table, rows] of byTable) {
          const shape = database.shape(table);
          const size = Math.min(STATEMENT_ROWS, rowsPerStatement(shape.columns.length));
          for (const part of chunk(rows, size)) {
            const { sql, params } = buildInsert(shape, part);
            await pg.query(sql, params);
          }
        }
      }),
    );
    results.push(
      await timed(`TypeORM \`insert().values()\` (${STATEMENT_ROWS} rows per call)`, async () => {
        for (const [table, rows] of byTable) {
          const metadata = dataSource.entityMetadatas.find((m) => m.tableName === table)!;
          const repository = dataSource.getRepository(metadata.target);
          const size = Math.min(STATEMENT_ROWS, rowsPerStatement(metadata.columns.length));
          for (const part of chunk(rows, size)) {
            const entities = part.map((row) => Object.fromEntries(metadata.columns.map((c) => [c.propertyName, row[c.databaseName]])));
            await repository.createQueryBuilder().insert().values(entities).orIgnore().execute();
          }
        }
      }),
    );

    // The module: the records go through its buffer and producer into Bull (not timed)…
    const producer = await boot(moduleOptions(false));
    const sink = producer.get(RecordSink);
    const memoryBefore = await resources.redisUsedMemory();
    for (const part of chunk(records, 5000)) {
      for (const r of part) {
        if (r.table === 'authentication_logs') sink.addUrgent(r);
        else sink.add(r);
      }
      await sink.flush({});
    }
    const sent = producer.get(AuditService).stats();
    await producer.close();
    const queue = new Bull(QUEUE, REDIS_URL);
    workerJobs = (await queue.getJobCounts()).waiting;
    const memoryFull = await resources.redisUsedMemory();
    console.log(`queued ${sent.sent} records in ${workerJobs} jobs (dropped ${sent.dropped})`);

    // …then a worker with default options writes them (timed until the last is persisted).
    results.push(
      await timed(`nestjs-analytics worker: Bull → \`BatchWriter\` (${workerJobs} jobs, default options; a process that only writes, worker on its main thread)`, async () => {
        const worker = await boot(moduleOptions(true));
        const audit = worker.get(AuditService);
        while (audit.stats().persisted + audit.stats().failed < ROWS) await new Promise((r) => setTimeout(r, 20));
        await worker.close();
      }),
    );
    memory = { before: memoryBefore, full: memoryFull, drained: await resources.redisUsedMemory(), jobs: workerJobs };
    await queue.close();

    results.push(
      await timed('`BatchWriter` alone, the same jobs without Bull', async () => {
        for (const part of chunk(records, Math.ceil(ROWS / workerJobs))) await writer.write(encodeRecords(part));
      }),
    );
  } finally {
    await pg.end();
    await dataSource.destroy();
    await resources.close(); // drops the schema and the queue's keys
  }

  const report = render(results, memory!, sizes!);
  writeSection('ingest', report);
  console.log(report);
}

async function boot(options: AnalyticsModuleOptions) {
  @Module({ imports: [AnalyticsModule.forRoot(options)] })
  class IngestModule {}
  const app = await NestFactory.createApplicationContext(IngestModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  return app;
}

/** Rows and on-disk bytes (heap, TOAST and indexes) of each table, after VACUUM ANALYZE. */
async function tableSizes(pg: Client): Promise<Array<{ table: string; rows: number; bytes: number }>> {
  const out = [];
  for (const table of TABLE_NAMES) {
    const name = `"${SCHEMA}"."${table}"`;
    await pg.query(`VACUUM ANALYZE ${name}`);
    const { rows: [r] } = await pg.query(`SELECT count(*)::int AS rows, pg_total_relation_size('${name}')::bigint AS bytes FROM ${name}`);
    out.push({ table, rows: r.rows, bytes: Number(r.bytes) });
  }
  return out;
}


function render(
  results: Result[],
  memory: { before: number; full: number; drained: number; jobs: number },
  sizes: Array<{ table: string; rows: number; bytes: number }>,
): string {
  const copy = results[0].rowsPerSecond;
  const typeorm = results[2].rowsPerSecond;
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const mix = Object.entries(MIX)
    .map(([kind, share]) => `${kind} ${Math.round(share * 100)}%`)
    .join(', ');
  const machine = machineInfo();
  return [
    '## Ingestion',
    '',
    `_Generated by \`npm run bench:ingest\` on ${new Date().toISOString()}: ${ROWS.toLocaleString('en')} mixed records (${mix}), ` +
      `made by the module's RecordFactory, written to a local PostgreSQL; ${machine.nproc} × ${machine.cpuModel}, Node ${process.version}._`,
    '',
    '| method | seconds | rows/s | × raw COPY | × TypeORM | rows stored |',
    '|---|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.seconds.toFixed(2)} | ${Math.round(r.rowsPerSecond).toLocaleString('en')} | ${(r.rowsPerSecond / copy).toFixed(2)} | ` +
        `${(r.rowsPerSecond / typeorm).toFixed(2)} | ${r.stored.toLocaleString('en')} |`,
    ),
    '',
    `Redis \`used_memory\`: ${mb(memory.before)} before, ${mb(memory.full)} with ${memory.jobs} jobs queued, ${mb(memory.drained)} after the worker drained them ` +
      `(completed jobs are removed).`,
    '',
    'On disk, for sizing (table, TOAST and indexes, after `VACUUM ANALYZE`):',
    '',
    '| table | rows | MB | bytes per row |',
    '|---|---:|---:|---:|',
    ...sizes.map((t) => `| \`${t.table}\` | ${t.rows.toLocaleString('en')} | ${(t.bytes / 1024 / 1024).toFixed(1)} | ${t.rows ? Math.round(t.bytes / t.rows) : '—'} |`),
    '',
    'Targets (issue #4): the worker at least 0.6× raw COPY and at least 2× TypeORM `insert().values()`; Redis memory flat after the records are written.',
    '',
  ].join('\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

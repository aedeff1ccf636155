import 'reflect-metadata';
import { Controller, Get, INestApplication, INestApplicationContext, LoggerService, LogLevel, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildReply, ParentMessage } from '../lib/ipc';

/** The two routes every variant serves. */
@Controller()
export class BenchController {
  @Get('hello')
  hello(): string {
    return 'Hello World!';
  }

  /** Simulated I/O: one 1 ms timer. */
  @Get('io')
  async io(): Promise<string> {
    await sleep(1);
    return 'ok';
  }
}

/** What a variant adds to the runner's `flush` and `stats` messages. */
export interface BenchHooks {
  /** Hands everything to storage before the runner counts rows. */
  flush?: (app: INestApplicationContext) => Promise<Record<string, unknown>>;
  /** Extra numbers for the report (counters of the library, queue sizes…). */
  stats?: (app: INestApplicationContext) => Record<string, unknown> | Promise<Record<string, unknown>>;
}

const LOG_LEVELS: LogLevel[] = ['error', 'warn'];

export const env = {
  port: Number(process.env.PORT ?? 3000),
  schema: process.env.BENCH_SCHEMA ?? 'bench',
  queueName: process.env.BENCH_QUEUE ?? 'bench',
  databaseUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  /** File a logging variant writes its request lines to; the runner counts them. */
  logFile: process.env.BENCH_LOG_FILE || join(tmpdir(), 'nestjs-analytics-bench.ndjson'),
};

export interface HttpAppOptions {
  fastify?: boolean;
  hooks?: BenchHooks;
  /** Replaces Nest's logger with this provider (`bufferLogs` + `app.useLogger`), as nestjs-pino sets up. */
  logger?: Type<LoggerService>;
  /** Runs before `listen()`: `app.use()` of a calibration middleware. */
  configure?: (app: INestApplication) => void;
}

/** Starts an HTTP variant on 127.0.0.1:PORT and answers the runner over IPC. */
export async function startHttpApp(module: Type<unknown>, options: HttpAppOptions = {}) {
  const logging = options.logger ? { bufferLogs: true } : { logger: LOG_LEVELS };
  const app: INestApplication = options.fastify
    ? await NestFactory.create(module, new FastifyAdapter(), logging)
    : await NestFactory.create(module, logging);
  if (options.logger) app.useLogger(app.get(options.logger));
  options.configure?.(app);
  await app.listen(env.port, '127.0.0.1');
  serveRunner(app, options.hooks ?? {});
}

/** Starts a variant without HTTP (the separate worker process). */
export async function startContext(module: Type<unknown>, hooks: BenchHooks = {}) {
  const app = await NestFactory.createApplicationContext(module, { logger: LOG_LEVELS });
  serveRunner(app, hooks);
}

function serveRunner(app: INestApplicationContext, hooks: BenchHooks): void {
  const reply = (message: ChildReply) => process.send?.(message);
  process.on('message', (message: ParentMessage) => {
    void handle(message).catch((err: Error) => reply({ type: 'error', id: message.id, error: err.stack ?? err.message }));
  });
  async function handle(message: ParentMessage): Promise<void> {
    switch (message.type) {
      case 'stats': {
        const cpu = process.cpuUsage();
        const memory = process.memoryUsage();
        const extra = hooks.stats ? await hooks.stats(app) : {};
        reply({
          type: 'stats',
          id: message.id,
          cpuMicros: cpu.user + cpu.system,
          rssBytes: memory.rss,
          // maxRSS is in kilobytes: the peak resident set over the process's life.
          maxRssBytes: process.resourceUsage().maxRSS * 1024,
          heap: { usedBytes: memory.heapUsed, totalBytes: memory.heapTotal, externalBytes: memory.external },
          extra,
        });
        return;
      }
      case 'flush': {
        const started = Date.now();
        const extra = hooks.flush ? await hooks.flush(app) : {};
        reply({ type: 'flushed', id: message.id, ms: Date.now() - started, extra });
        return;
      }
      case 'close':
        await app.close();
        reply({ type: 'closed', id: message.id });
        process.disconnect?.();
        return;
    }
  }
  process.on('disconnect', () => process.exit(0));
  reply({ type: 'ready', id: 0 });
}

/** Runs a variant's main function, exiting with the error on failure. */
export function main(start: () => Promise<void>): void {
  start().catch((err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  });
}

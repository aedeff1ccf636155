import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, WriteStream } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { ServiceUrls } from './env-settings';
import type { ChildReply, FlushReply, ParentMessage, StatsReply } from './ipc';

const ROOT = join(__dirname, '..', '..');

/**
 * Compiles bench/apps (and the library sources they import) to JavaScript in `outDir`,
 * without type checking, so the measured processes run plain Node: no TypeScript compiler
 * in their memory, nothing compiled while they serve.
 */
export function buildApps(outDir: string): void {
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'bench', 'tsconfig.apps.json'), '--outDir', outDir], {
    stdio: 'inherit',
  });
}

/** What a variant's process is given beyond its port and services; absent parts stay unset. */
export interface VariantSetup {
  schema?: string;
  queue?: string;
  /** JSON-lines request log (the pino-file variant). */
  logFile?: string;
  /** Flags for node, e.g. `--cpu-prof`. */
  nodeArgs?: string;
}

/** The environment bench/apps/bench-app.ts reads. */
export function variantEnv(port: number, urls: ServiceUrls, setup: VariantSetup = {}): Record<string, string> {
  return {
    PORT: String(port),
    BENCH_SCHEMA: setup.schema ?? '',
    BENCH_QUEUE: setup.queue ?? '',
    BENCH_DATABASE_URL: urls.databaseUrl,
    BENCH_REDIS_URL: urls.redisUrl,
    BENCH_LOG_FILE: setup.logFile ?? '',
    ...(setup.nodeArgs === undefined ? {} : { BENCH_NODE_ARGS: setup.nodeArgs }),
  };
}

/**
 * One variant's process, running the compiled app with an IPC channel the runner uses
 * for CPU/RSS stats, flush and close. Output goes to a log file.
 */
export class VariantProcess {
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private readonly pending = new Map<number, (reply: ChildReply) => void>();
  private nextId = 1;
  private exited: string | null = null;
  private readonly readyPromise: Promise<void>;

  constructor(
    readonly label: string,
    buildDir: string,
    app: string,
    env: Record<string, string>,
    logFile: string,
    /** A program the process runs under, with its arguments (e.g. valgrind); its pid is the app's. */
    launcher: string[] = [],
  ) {
    this.log = createWriteStream(logFile);
    // BENCH_NODE_ARGS passes flags to the measured process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
    const nodeArgs = (env.BENCH_NODE_ARGS ?? process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const [command, ...args] = [...launcher, process.execPath, ...nodeArgs, join(buildDir, 'bench', 'apps', `${app}.js`)];
    this.child = spawn(command, args, {
      // The compiled files live outside the repository; packages resolve from its node_modules.
      env: { ...process.env, ...env, NODE_ENV: 'production', NODE_PATH: join(ROOT, 'node_modules') },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child.stdout?.pipe(this.log, { end: false });
    this.child.stderr?.pipe(this.log, { end: false });
    this.readyPromise = new Promise((resolve, reject) => {
      this.child.once('exit', (code, signal) => {
        this.exited = `exited with ${code ?? signal}`;
        reject(new Error(`${label} ${this.exited} (see ${logFile})`));
        for (const [, done] of this.pending) done({ type: 'error', id: 0, error: `${label} ${this.exited}` });
        this.pending.clear();
      });
      this.child.on('message', (reply: ChildReply) => {
        if (reply.type === 'ready') return resolve();
        this.pending.get(reply.id)?.(reply);
        this.pending.delete(reply.id);
      });
    });
    this.readyPromise.catch(() => undefined);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Resolves once the process said it is ready (and, with a port, answers GET /hello). */
  async ready(timeoutMs: number, port?: number): Promise<void> {
    await withTimeout(this.readyPromise, timeoutMs, `${this.label} did not start within ${timeoutMs} ms`);
    if (port === undefined) return;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await httpStatus(`http://127.0.0.1:${port}/hello`)) === 200) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.label} does not answer GET /hello on port ${port}`);
  }

  async stats(): Promise<StatsReply> {
    return this.call('stats', 10_000) as Promise<StatsReply>;
  }

  async flush(timeoutMs: number): Promise<FlushReply> {
    return this.call('flush', timeoutMs) as Promise<FlushReply>;
  }

  /** Current resident set from /proc, read without disturbing the process. */
  rssBytes(): number {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return match ? Number(match[1]) * 1024 : NaN;
    } catch {
      return NaN;
    }
  }

  /** Asks for app.close(); kills the process if it has not exited after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (this.exited) {
      this.log.end();
      return;
    }
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.call('close', timeoutMs).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
    this.log.end();
  }

  private async call(type: ParentMessage['type'], timeoutMs: number): Promise<ChildReply> {
    if (this.exited) throw new Error(`${this.label} ${this.exited}`);
    const id = this.nextId++;
    const reply = new Promise<ChildReply>((resolve) => this.pending.set(id, resolve));
    this.child.send({ id, type } satisfies ParentMessage);
    const answer = await withTimeout(reply, timeoutMs, `${this.label} did not answer '${type}' within ${timeoutMs} ms`);
    if (answer.type === 'error') throw new Error(`${this.label}: ${answer.error}`);
    return answer;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

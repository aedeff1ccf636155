import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { AnalyticsModuleOptions } from '../../src';
import type { AnalyticsStats } from '../../src/pipeline/analytics-counters';
import type { ScaleMessage, ScaleRole } from './scale-protocol';

const SCRIPT = join(__dirname, 'scale-process.ts');
const REPO_ROOT = join(__dirname, '..', '..');
/** Output kept per child, to explain a failure. */
const OUTPUT_TAIL = 8_000;

/**
 * A real OS process running test/support/scale-process.ts (an API or a worker), with its
 * IPC messages, its output, and a way to stop it gracefully (SIGTERM) or for good (SIGKILL).
 */
export class ScaleChild {
  private readonly child: ChildProcess;
  private readonly messages: ScaleMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private output = '';
  private closed = false;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  port?: number;

  constructor(
    readonly name: string,
    readonly role: ScaleRole,
    options: AnalyticsModuleOptions,
  ) {
    this.child = fork(SCRIPT, [role, JSON.stringify(options)], {
      cwd: REPO_ROOT,
      // Transpile only: no type check and no build, so a fresh clone runs it after `npm ci`.
      execArgv: ['-r', 'ts-node/register/transpile-only'],
      env: { ...process.env, TS_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-OUTPUT_TAIL);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    // A failed spawn or a send on a closed channel: keep it for the failure message, never crash the spec.
    this.child.on('error', (err) => keep(Buffer.from(`[${name}] ${err.message}\n`)));
    this.child.on('message', (message: ScaleMessage) => {
      this.messages.push(message);
      this.notify();
    });
    // 'close' rather than 'exit': it comes after the last IPC message and output.
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        this.closed = true;
        resolve({ code, signal });
        this.notify();
      });
    });
  }

  get alive(): boolean {
    return !this.closed;
  }

  /** Resolves with the child's port once it reports `ready`. */
  async ready(timeoutMs: number): Promise<void> {
    const message = await this.next('ready', timeoutMs);
    this.port = message.port;
  }

  /** The child's `AuditService.stats()` now. */
  async stats(timeoutMs = 10_000): Promise<AnalyticsStats> {
    const since = this.messages.length;
    this.child.send({ type: 'stats' });
    return (await this.next('stats', timeoutMs, since)).stats;
  }

  /**
   * SIGTERM, as an orchestrator stops a process: Nest's shutdown hooks drain the analytics
   * module, the child reports its final stats and exits 0.
   */
  async terminate(timeoutMs: number): Promise<{ code: number | null; stats: AnalyticsStats }> {
    const since = this.messages.length;
    this.child.kill('SIGTERM');
    const { stats } = await this.next('shutdown', timeoutMs, since);
    const { code } = await this.withDeadline(this.exited, timeoutMs, 'exit after shutdown');
    return { code, stats };
  }

  /** Kills the child if it still runs, and waits for it to be gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  private async next<T extends ScaleMessage['type']>(
    type: T,
    timeoutMs: number,
    since = 0,
  ): Promise<Extract<ScaleMessage, { type: T }>> {
    const found = () => this.messages.slice(since).find((m) => m.type === type) as Extract<ScaleMessage, { type: T }> | undefined;
    const wait = new Promise<Extract<ScaleMessage, { type: T }>>((resolve, reject) => {
      const check = () => {
        const message = found();
        if (message) {
          this.waiters.delete(check);
          resolve(message);
        } else if (!this.alive) {
          this.waiters.delete(check);
          reject(new Error(`${this.name} exited before sending '${type}'\n${this.output}`));
        }
      };
      this.waiters.add(check);
      check();
    });
    return this.withDeadline(wait, timeoutMs, `'${type}'`);
  }

  private async withDeadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms\n${this.output}`)), timeoutMs);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

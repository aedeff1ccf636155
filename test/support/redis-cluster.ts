import { ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';

const HOST = '127.0.0.1';
/** Below Linux's ephemeral range (32768+), so outgoing connections never hold them. */
const PORT_RANGE = { from: 20_000, to: 29_999 };
const START_TIMEOUT_MS = 15_000;
const CLUSTER_OK_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const OUTPUT_KEPT = 4_000;
/** The name of this helper's own connections, which `clientsByNode()` leaves out. */
const PROBE_NAME = 'test-cluster-probe';
const MISSING_REDIS =
  'The Redis Cluster spec starts its own cluster and needs redis-server and redis-cli 7.0 or later on PATH ' +
  '(Debian/Ubuntu: apt-get install redis-server)';

export interface ClusterNodeAddress {
  host: string;
  port: number;
}

interface ClusterNodeProcess {
  port: number;
  busPort: number;
  child?: ChildProcess;
  output: string;
}

/**
 * A throw-away Redis Cluster of `masters` masters (no replicas), each a `redis-server` child
 * of this process on free ports, with its files in a temporary directory.
 *
 * `reserve()` picks the ports so the nodes' addresses are known before the cluster runs;
 * `start()` runs the servers and `redis-cli --cluster create`, and resolves when every node
 * reports `cluster_state:ok` (later calls return the same promise); `stop()` kills the servers and removes the directory (also
 * after a failed start). Servers still running when this process exits are killed.
 */
export class TestRedisCluster {
  private starting?: Promise<void>;
  /** Runs if this process exits without stop(), e.g. after a hook timed out. */
  private readonly exitGuard = () => {
    for (const { child } of this.nodes) if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  };

  private constructor(
    readonly dir: string,
    private readonly nodes: ClusterNodeProcess[],
  ) {}

  /** Checks that redis-server is installed, and picks ports and a directory. */
  static async reserve(masters = 3): Promise<TestRedisCluster> {
    assertRedisInstalled();
    const ports = await freePorts(masters * 2);
    const nodes = Array.from({ length: masters }, (_, i) => ({ port: ports[2 * i], busPort: ports[2 * i + 1], output: '' }));
    const cluster = new TestRedisCluster(await mkdtemp(join(tmpdir(), 'nestjs-analytics-redis-cluster-')), nodes);
    process.once('exit', cluster.exitGuard);
    return cluster;
  }

  /** The startup nodes, as `redis.cluster.nodes` takes them. */
  get addresses(): ClusterNodeAddress[] {
    return this.nodes.map(({ port }) => ({ host: HOST, port }));
  }

  /** Runs the servers, joins them into a cluster and waits until it serves every slot. */
  start(): Promise<void> {
    this.starting ??= this.launch();
    return this.starting;
  }

  private async launch(): Promise<void> {
    try {
      const started = await Promise.allSettled(this.nodes.map((node) => this.spawnNode(node)));
      const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason;
      await execute('redis-cli', ['--cluster', 'create', ...this.nodes.map((n) => `${HOST}:${n.port}`), '--cluster-replicas', '0', '--cluster-yes']);
      await this.waitUntilOk();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Keys matching `pattern` on each node, by port. */
  async keysByNode(pattern: string): Promise<Map<number, string[]>> {
    const entries = await Promise.all(
      this.nodes.map(async ({ port }) => [port, await onNode(port, (redis) => redis.keys(pattern))] as const),
    );
    return new Map(entries);
  }

  /**
   * The clients connected to each node, by port, other than this helper's own probes (a
   * probe closed a moment ago may still be listed): each as its `name`, last command, age
   * and flags from CLIENT LIST, so a failed check says whose connection it is.
   */
  async clientsByNode(): Promise<Map<number, string[]>> {
    const entries = await Promise.all(
      this.nodes.map(async ({ port }) => {
        const list = await onNode(port, (redis) => redis.client('LIST') as Promise<string>);
        const clients = list
          .split('\n')
          .map((line) => Object.fromEntries(line.trim().split(' ').map(keyAndValue)) as Record<string, string>)
          .filter((client) => client.id !== undefined && client.name !== PROBE_NAME)
          .map(({ name, cmd, age, flags }) => `name=${name} cmd=${cmd} age=${age} flags=${flags}`);
        return [port, clients] as const;
      }),
    );
    return new Map(entries);
  }

  /** The hash slot of a key, as Redis Cluster computes it. */
  keySlot(key: string): Promise<number> {
    return onNode(this.nodes[0].port, (redis) => redis.cluster('KEYSLOT', key) as Promise<number>);
  }

  /** Stops every server (SIGTERM, then SIGKILL) and removes the directory. Safe to call twice. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map(({ child }) => child && stopChild(child)));
    process.off('exit', this.exitGuard);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async spawnNode(node: ClusterNodeProcess): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port', String(node.port),
        '--cluster-port', String(node.busPort),
        '--bind', HOST,
        '--cluster-enabled', 'yes',
        '--cluster-config-file', join(this.dir, `nodes-${node.port}.conf`),
        '--cluster-node-timeout', '5000',
        '--save', '',
        '--appendonly', 'no',
        '--daemonize', 'no',
        '--dir', this.dir,
      ],
      { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    node.child = child;
    const keep = (chunk: Buffer) => (node.output = (node.output + chunk.toString()).slice(-OUTPUT_KEPT));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const exited = new Promise<never>((_, reject) => {
      child.once('error', (err) => reject(new Error(`redis-server on port ${node.port} did not start: ${err.message}. ${MISSING_REDIS}`)));
      child.once('exit', (code, signal) =>
        reject(new Error(`redis-server on port ${node.port} exited (${signal ?? code}) while starting:\n${node.output}`)),
      );
    });
    exited.catch(() => undefined);
    await Promise.race([exited, pollUntil(`redis-server on port ${node.port} to answer PING`, START_TIMEOUT_MS, () => ping(node.port))]);
  }

  private waitUntilOk(): Promise<void> {
    const masters = this.nodes.length;
    return pollUntil(`the cluster to report cluster_state:ok on ${masters} nodes`, CLUSTER_OK_TIMEOUT_MS, async () => {
      const infos = await Promise.all(this.nodes.map(({ port }) => onNode(port, (r) => r.cluster('INFO') as Promise<string>)));
      return infos.every(
        (info) =>
          info.includes('cluster_state:ok') &&
          info.includes('cluster_slots_ok:16384') &&
          info.includes(`cluster_known_nodes:${masters}`),
      );
    });
  }
}

function assertRedisInstalled(): void {
  for (const binary of ['redis-server', 'redis-cli']) {
    const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
    if (result.error) throw new Error(`${binary} was not found (${result.error.message}). ${MISSING_REDIS}`);
    const major = Number(/v=(\d+)\./.exec(result.stdout)?.[1] ?? /(\d+)\.\d+\.\d+/.exec(result.stdout)?.[1]);
    if (!(major >= 7)) throw new Error(`${binary} is too old: ${result.stdout.trim()}. ${MISSING_REDIS}`);
  }
}

/** `count` distinct ports in PORT_RANGE that nothing listens on right now. */
async function freePorts(count: number): Promise<number[]> {
  const found = new Set<number>();
  for (let tries = 0; found.size < count && tries < 1_000; tries++) {
    const port = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from + 1));
    if (!found.has(port) && (await isFree(port))) found.add(port);
  }
  if (found.size < count) throw new Error(`Found only ${found.size} of ${count} free ports in ${PORT_RANGE.from}-${PORT_RANGE.to}`);
  return [...found];
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** A short-lived connection to one node that never retries. */
async function onNode<T>(port: number, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({
    host: HOST,
    port,
    connectionName: PROBE_NAME,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

const ping = (port: number) => onNode(port, (r) => r.ping()).then((reply) => reply === 'PONG', () => false);

async function pollUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

function execute(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: CLUSTER_OK_TIMEOUT_MS }, (err, stdout, stderr) =>
      err ? reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`)) : resolve(stdout),
    );
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS)));
  if (await Promise.race([exited.then(() => false), timedOut])) {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

/** A CLIENT LIST field `key=value` as [key, value]; the value keeps any further `=`. */
function keyAndValue(field: string): [string, string] {
  const at = field.indexOf('=');
  return at === -1 ? [field, ''] : [field.slice(0, at), field.slice(at + 1)];
}

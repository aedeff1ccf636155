import { Logger } from '@nestjs/common';
import { AnalyticsOptionsError } from '../analytics.errors';
import type { AnalyticsModuleOptions } from './analytics-module-options.interface';
import {
  DEFAULT_CLUSTER_PREFIX,
  DEFAULT_DATABASE_URL,
  DEFAULT_REDACT_KEYS,
  DEFAULT_REDIS_URL,
  DEFAULT_SKIP_PATHS,
} from './analytics-options.defaults';
import { resolveAnalyticsOptions } from './analytics-options.factory';

/** The problems of the AnalyticsOptionsError thrown for these options and environment. */
function problemsOf(input: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    resolveAnalyticsOptions(input as AnalyticsModuleOptions, env);
  } catch (err) {
    expect(err).toBeInstanceOf(AnalyticsOptionsError);
    const error = err as AnalyticsOptionsError;
    for (const problem of error.problems) expect(error.message).toContain(problem);
    return error.problems;
  }
  throw new Error('expected resolveAnalyticsOptions to throw');
}

describe('resolveAnalyticsOptions', () => {
  describe('defaults', () => {
    it('fills every option when nothing is given', () => {
      const options = resolveAnalyticsOptions(undefined, {});

      expect(options.enabled).toBe(true);
      expect(options.database).toEqual({ url: DEFAULT_DATABASE_URL, schema: 'analytics', poolSize: 5 });
      expect(options.redis).toEqual({ url: DEFAULT_REDIS_URL, prefix: 'bull' });
      expect(options.queueName).toBe('analytics');
      expect(options.flush).toEqual({ strategy: 'hybrid', intervalMs: 10_000, countThreshold: 100, maxBufferSize: 10_000 });
      expect(options.sampling).toEqual({ enabled: false, rate: 0.1 });
      expect(options.skipPaths).toEqual([...DEFAULT_SKIP_PATHS]);
      expect(options.trackAuthenticatedOnly).toBe(false);
      expect(options.redactKeys).toEqual([...DEFAULT_REDACT_KEYS]);
      expect(options.hashKey).toBeUndefined();
      expect(options.pricing).toEqual({});
      expect(options.worker).toEqual({ enabled: true, concurrency: 1, attempts: 10, backoffMs: 1000, writeTimeoutMs: 60_000, thread: true });
      expect(options.runMigrations).toBe(true);
      expect(options.captureStackTraces).toBe(false);
    });

    it('treats null like no options and an explicit undefined like an absent option', () => {
      expect(resolveAnalyticsOptions(null, {}).flush.intervalMs).toBe(10_000);
      expect(resolveAnalyticsOptions({ flush: { intervalMs: undefined } }, {}).flush.intervalMs).toBe(10_000);
    });

    it('reads user ids from req.user.id, then req.user.sub', () => {
      const { getUserId } = resolveAnalyticsOptions({}, {});

      expect(getUserId({ user: { id: 'u1', sub: 's1' } })).toBe('u1');
      expect(getUserId({ user: { sub: 's1' } })).toBe('s1');
      // The NestJS authentication guide's Passport JWT strategy returns { userId, username }.
      expect(getUserId({ user: { userId: 7, username: 'ann' } })).toBe(7);
      expect(getUserId({})).toBeUndefined();
    });

    it('keeps the defaults of a section for the fields the user left out', () => {
      const options = resolveAnalyticsOptions({ flush: { intervalMs: 500 }, worker: { concurrency: 3 } }, {});

      expect(options.flush).toEqual({ strategy: 'hybrid', intervalMs: 500, countThreshold: 100, maxBufferSize: 10_000 });
      expect(options.worker).toEqual({ enabled: true, concurrency: 3, attempts: 10, backoffMs: 1000, writeTimeoutMs: 60_000, thread: true });
    });
  });

  describe('good values', () => {
    it('accepts a full set of valid options as given', () => {
      const getUserId = (req: any) => req.account?.id;
      const skipPaths = ['/internal', /^\/metrics/];
      const options = resolveAnalyticsOptions(
        {
          enabled: false,
          database: { url: 'postgresql://app:pw@db:5432/app', schema: 'audit_2024', poolSize: 2, ssl: true },
          redis: { url: 'rediss://cache:6380', prefix: '{analytics}' },
          queueName: 'my-app:analytics',
          flush: { strategy: 'count', intervalMs: 250, countThreshold: 5, maxBufferSize: 50 },
          sampling: { enabled: true, rate: 0 },
          skipPaths,
          trackAuthenticatedOnly: true,
          getUserId,
          hashKey: '0123456789abcdef',
          pricing: { 'my-model': { input: 1.25, output: 10, cachedInput: 0.125 } },
          worker: { enabled: false, concurrency: 4, attempts: 3, backoffMs: 200, writeTimeoutMs: 5000, thread: false },
          runMigrations: false,
          captureStackTraces: true,
        },
        {},
      );

      expect(options.enabled).toBe(false);
      expect(options.database).toEqual({ url: 'postgresql://app:pw@db:5432/app', schema: 'audit_2024', poolSize: 2, ssl: true });
      expect(options.redis).toEqual({ url: 'rediss://cache:6380', prefix: '{analytics}' });
      expect(options.queueName).toBe('my-app:analytics');
      expect(options.flush).toEqual({ strategy: 'count', intervalMs: 250, countThreshold: 5, maxBufferSize: 50 });
      expect(options.sampling).toEqual({ enabled: true, rate: 0 });
      expect(options.skipPaths).toEqual(skipPaths);
      expect(options.trackAuthenticatedOnly).toBe(true);
      expect(options.getUserId).toBe(getUserId);
      expect(options.hashKey).toBe('0123456789abcdef');
      expect(options.pricing).toEqual({ 'my-model': { input: 1.25, output: 10, cachedInput: 0.125 } });
      expect(options.worker).toEqual({ enabled: false, concurrency: 4, attempts: 3, backoffMs: 200, writeTimeoutMs: 5000, thread: false });
      expect(options.runMigrations).toBe(false);
      expect(options.captureStackTraces).toBe(true);
    });

    it.each(['time', 'count', 'hybrid'] as const)('accepts flush strategy %s', (strategy) => {
      expect(resolveAnalyticsOptions({ flush: { strategy } }, {}).flush.strategy).toBe(strategy);
    });

    it('accepts the sampling rate bounds 0 and 1', () => {
      expect(resolveAnalyticsOptions({ sampling: { rate: 0 } }, {}).sampling.rate).toBe(0);
      expect(resolveAnalyticsOptions({ sampling: { rate: 1 } }, {}).sampling.rate).toBe(1);
    });
  });

  describe('bad values', () => {
    it('names the option, the value and the rule', () => {
      expect(problemsOf({ flush: { intervalMs: -5 } })).toEqual(['flush.intervalMs must be a positive integer, got -5']);
    });

    it.each<[string, AnalyticsModuleOptions | Record<string, unknown>, string]>([
      ['a fractional interval', { flush: { intervalMs: 1.5 } }, 'flush.intervalMs must be a positive integer, got 1.5'],
      ['a string interval', { flush: { intervalMs: '5' } }, 'flush.intervalMs must be a positive integer, got "5"'],
      ['a zero threshold', { flush: { countThreshold: 0 } }, 'flush.countThreshold must be a positive integer, got 0'],
      ['a zero buffer', { flush: { maxBufferSize: 0 } }, 'flush.maxBufferSize must be a positive integer, got 0'],
      ['an unknown strategy', { flush: { strategy: 'sometimes' } }, "flush.strategy must be one of 'time', 'count', 'hybrid', got \"sometimes\""],
      ['a rate above 1', { sampling: { rate: 1.5 } }, 'sampling.rate must be a number between 0 and 1, got 1.5'],
      ['a negative rate', { sampling: { rate: -0.1 } }, 'sampling.rate must be a number between 0 and 1, got -0.1'],
      ['a string for a boolean', { enabled: 'yes' }, 'enabled must be a boolean, got "yes"'],
      ['a non-postgres url', { database: { url: 'mysql://db/app' } }, 'database.url must be a postgres:// or postgresql:// URL, got "mysql://db/app"'],
      ['a port out of range', { database: { host: 'db', port: 70000 } }, 'database.port must be an integer port (1-65535), got 70000'],
      ['a zero pool', { database: { poolSize: 0 } }, 'database.poolSize must be an integer of at least 2, got 0'],
      ['a pool of one (migrations need a second connection)', { database: { poolSize: 1 } }, 'database.poolSize must be an integer of at least 2, got 1'],
      ['a non-redis url', { redis: { url: 'http://cache' } }, 'redis.url must be a redis:// or rediss:// URL, got "http://cache"'],
      ['a negative redis db', { redis: { db: -1 } }, 'redis.db must be a non-negative integer, got -1'],
      ['a queue name with a space', { queueName: 'my queue' }, 'queueName must be 1-100 characters of [A-Za-z0-9_.:-], got "my queue"'],
      ['a relative skip path', { skipPaths: ['health'] }, 'skipPaths must be an array of paths starting with "/" or RegExps, got ["health"]'],
      ['a short hash key', { hashKey: 'short' }, 'hashKey must be at least 16 characters, got "(hidden, 5 characters)"'],
      ['a non-function getUserId', { getUserId: 'user.id' }, 'getUserId must be a function (req) => string | undefined, got "user.id"'],
      ['a zero worker concurrency', { worker: { concurrency: 0 } }, 'worker.concurrency must be a positive integer, got 0'],
      ['a section that is not an object', { flush: 5 }, 'flush must be an object, got 5'],
      ['a null section', { flush: null }, 'flush must be an object, got null'],
    ])('refuses %s', (_label, input, problem) => {
      expect(problemsOf(input)).toEqual([problem]);
    });

    it('refuses a price table entry without an output price', () => {
      const [problem] = problemsOf({ pricing: { m: { input: 1 } } });

      expect(problem).toMatch(/^pricing must map model names to \{ input, output, cachedInput\? \} prices .*, got \{"m":\{"input":1\}\}$/);
    });

    it.each([
      { input: 1, output: -1 },
      { input: Infinity, output: 1 },
      { input: 1, output: 1, cachedInput: Infinity },
      { input: 1, output: 1, cachedInput: -0.5 },
    ])('refuses the price %p', (price) => {
      const [problem] = problemsOf({ pricing: { m: price } });

      expect(problem).toMatch(/^pricing must map model names to /);
    });

    it('refuses options that are not an object', () => {
      expect(problemsOf('abc')).toEqual(['options must be an object, got "abc"']);
    });

    it('reports every bad option at once', () => {
      const problems = problemsOf({ flush: { intervalMs: 0, countThreshold: -1 }, sampling: { rate: 2 } });

      expect(problems).toEqual(
        expect.arrayContaining([
          'flush.intervalMs must be a positive integer, got 0',
          'flush.countThreshold must be a positive integer, got -1',
          'sampling.rate must be a number between 0 and 1, got 2',
        ]),
      );
      expect(problems).toHaveLength(3);
    });
  });

  describe('unknown options', () => {
    it('refuses a misspelled nested option', () => {
      expect(problemsOf({ flush: { intervalMS: 5000 } })).toEqual(['flush.intervalMS is not a known option (check its spelling)']);
    });

    it('refuses a misspelled top-level option', () => {
      expect(problemsOf({ enable: true })).toEqual(['enable is not a known option (check its spelling)']);
    });
  });

  describe('environment overrides', () => {
    it('converts ANALYTICS_FLUSH_INTERVAL_SECONDS from seconds to milliseconds', () => {
      expect(resolveAnalyticsOptions({}, { ANALYTICS_FLUSH_INTERVAL_SECONDS: '2.5' }).flush.intervalMs).toBe(2500);
    });

    it('reads every documented variable', () => {
      const options = resolveAnalyticsOptions(
        {},
        {
          ANALYTICS_ENABLED: 'false',
          ANALYTICS_DATABASE_URL: 'postgres://env@db:5432/env',
          ANALYTICS_REDIS_URL: 'redis://env-cache:6379',
          ANALYTICS_FLUSH_STRATEGY: ' TIME ',
          ANALYTICS_FLUSH_INTERVAL_SECONDS: '3',
          ANALYTICS_FLUSH_COUNT_THRESHOLD: '25',
          ANALYTICS_ENABLE_SAMPLING: 'yes',
          ANALYTICS_SAMPLING_RATE: '0.25',
          ANALYTICS_TRACK_AUTHENTICATED_ONLY: '1',
          ANALYTICS_WORKER_ENABLED: 'off',
          ANALYTICS_HASH_KEY: 'env-hash-key-0123456789',
        },
      );

      expect(options.enabled).toBe(false);
      expect(options.database.url).toBe('postgres://env@db:5432/env');
      expect(options.redis.url).toBe('redis://env-cache:6379');
      expect(options.flush.strategy).toBe('time');
      expect(options.flush.intervalMs).toBe(3000);
      expect(options.flush.countThreshold).toBe(25);
      expect(options.sampling).toEqual({ enabled: true, rate: 0.25 });
      expect(options.trackAuthenticatedOnly).toBe(true);
      expect(options.worker.enabled).toBe(false);
      expect(options.hashKey).toBe('env-hash-key-0123456789');
    });

    it('is used only when the option is absent', () => {
      const options = resolveAnalyticsOptions(
        {
          enabled: true,
          database: { url: 'postgres://user@db:5432/user' },
          flush: { intervalMs: 700 },
          sampling: { rate: 0.5 },
          worker: { enabled: true },
          hashKey: 'user-hash-key-0123456789',
        },
        {
          ANALYTICS_ENABLED: 'false',
          ANALYTICS_DATABASE_URL: 'postgres://env@db:5432/env',
          ANALYTICS_FLUSH_INTERVAL_SECONDS: '3',
          ANALYTICS_SAMPLING_RATE: '0.25',
          ANALYTICS_WORKER_ENABLED: 'false',
          ANALYTICS_HASH_KEY: 'env-hash-key-0123456789',
        },
      );

      expect(options.enabled).toBe(true);
      expect(options.database.url).toBe('postgres://user@db:5432/user');
      expect(options.flush.intervalMs).toBe(700);
      expect(options.sampling.rate).toBe(0.5);
      expect(options.worker.enabled).toBe(true);
      expect(options.hashKey).toBe('user-hash-key-0123456789');
    });

    it('fills one field of a section the user gave partly', () => {
      const options = resolveAnalyticsOptions({ flush: { countThreshold: 7 } }, { ANALYTICS_FLUSH_INTERVAL_SECONDS: '4' });

      expect(options.flush).toMatchObject({ countThreshold: 7, intervalMs: 4000 });
    });

    it('ignores empty variables', () => {
      const options = resolveAnalyticsOptions({}, { ANALYTICS_ENABLED: '', ANALYTICS_FLUSH_INTERVAL_SECONDS: '' });

      expect(options.enabled).toBe(true);
      expect(options.flush.intervalMs).toBe(10_000);
    });

    it.each<[NodeJS.ProcessEnv, string]>([
      [{ ANALYTICS_FLUSH_INTERVAL_SECONDS: '-5' }, 'flush.intervalMs must be a positive integer, got -5000 (from ANALYTICS_FLUSH_INTERVAL_SECONDS)'],
      [{ ANALYTICS_FLUSH_INTERVAL_SECONDS: 'soon' }, 'flush.intervalMs must be a positive integer, got "soon" (from ANALYTICS_FLUSH_INTERVAL_SECONDS)'],
      [{ ANALYTICS_ENABLED: 'maybe' }, 'enabled must be a boolean, got "maybe" (from ANALYTICS_ENABLED)'],
      [{ ANALYTICS_DATABASE_URL: 'mysql://db/app' }, 'database.url must be a postgres:// or postgresql:// URL, got "mysql://db/app" (from ANALYTICS_DATABASE_URL)'],
      [{ ANALYTICS_SAMPLING_RATE: '2' }, 'sampling.rate must be a number between 0 and 1, got 2 (from ANALYTICS_SAMPLING_RATE)'],
      [{ ANALYTICS_SAMPLING_RATE: 'half' }, 'sampling.rate must be a number between 0 and 1, got "half" (from ANALYTICS_SAMPLING_RATE)'],
      [{ ANALYTICS_WORKER_ENABLED: 'nope' }, 'worker.enabled must be a boolean, got "nope" (from ANALYTICS_WORKER_ENABLED)'],
      [{ ANALYTICS_HASH_KEY: 'too-short' }, 'hashKey must be at least 16 characters, got "(hidden, 9 characters)" (from ANALYTICS_HASH_KEY)'],
    ])('names the variable of a bad value: %j', (env, problem) => {
      expect(problemsOf({}, env)).toEqual([problem]);
    });

    it('does not blame the environment for a bad value the user gave', () => {
      expect(problemsOf({ flush: { intervalMs: -5 } }, { ANALYTICS_FLUSH_INTERVAL_SECONDS: '3' })).toEqual([
        'flush.intervalMs must be a positive integer, got -5',
      ]);
    });
  });

  describe('redactKeys', () => {
    it('adds user keys to the defaults instead of replacing them', () => {
      const { redactKeys } = resolveAnalyticsOptions({ redactKeys: ['sessionId', 'password'] }, {});

      expect(redactKeys).toEqual([...DEFAULT_REDACT_KEYS, 'sessionId']);
    });

    it('refuses a value that is not an array of strings, quoting what the user wrote', () => {
      expect(problemsOf({ redactKeys: 'sessionId' })).toEqual(['redactKeys must be an array of strings, got "sessionId"']);
      expect(problemsOf({ redactKeys: [1] })).toEqual(['redactKeys must be an array of strings, got [1]']);
    });
  });

  describe('database', () => {
    it('refuses a schema that is not a lowercase SQL identifier', () => {
      expect(problemsOf({ database: { schema: 'analytics; DROP TABLE users; --' } })).toEqual([
        'database.schema must be a lowercase SQL identifier ([a-z_][a-z0-9_]*, at most 63 characters), got "analytics; DROP TABLE users; --"',
      ]);
    });

    it.each(['Analytics', '1analytics', 'a"b', '', 'a'.repeat(64)])('refuses schema %j', (schema) => {
      const [problem] = problemsOf({ database: { schema } });

      expect(problem).toMatch(/^database\.schema must be a lowercase SQL identifier/);
    });

    it('accepts a 63-character schema', () => {
      expect(resolveAnalyticsOptions({ database: { schema: 'a'.repeat(63) } }, {}).database.schema).toBe('a'.repeat(63));
    });

    it('does not add the default url to discrete host fields', () => {
      const { database } = resolveAnalyticsOptions(
        { database: { host: 'db.internal', port: 5433, username: 'app', password: 'pw', database: 'app' } },
        {},
      );

      expect(database.url).toBeUndefined();
      expect(database).toEqual({
        host: 'db.internal',
        port: 5433,
        username: 'app',
        password: 'pw',
        database: 'app',
        schema: 'analytics',
        poolSize: 5,
      });
    });

    it('does not add ANALYTICS_DATABASE_URL to discrete host fields', () => {
      const { database } = resolveAnalyticsOptions({ database: { host: 'db.internal' } }, { ANALYTICS_DATABASE_URL: 'postgres://env@db/env' });

      expect(database.url).toBeUndefined();
      expect(database.host).toBe('db.internal');
    });

    it('keeps the default url when only the schema is given', () => {
      expect(resolveAnalyticsOptions({ database: { schema: 'custom' } }, {}).database).toEqual({
        url: DEFAULT_DATABASE_URL,
        schema: 'custom',
        poolSize: 5,
      });
    });

    it('does not add the default redis url to a redis host', () => {
      const { redis } = resolveAnalyticsOptions({ redis: { host: 'cache', port: 6380 } }, { ANALYTICS_REDIS_URL: 'redis://env:6379' });

      expect(redis).toEqual({ host: 'cache', port: 6380, prefix: 'bull' });
    });
  });

  describe('redis.cluster', () => {
    const nodes = ['10.0.0.1:7000', { host: 'redis-2.internal', port: 7001 }, '[::1]:7002'];

    it('takes "host:port" strings and { host, port } objects, without the default url, under the {bull} prefix', () => {
      const { redis } = resolveAnalyticsOptions({ redis: { cluster: { nodes } } }, {});

      expect(redis).toEqual({ cluster: { nodes }, prefix: DEFAULT_CLUSTER_PREFIX });
      expect(DEFAULT_CLUSTER_PREFIX).toBe('{bull}');
    });

    it('keeps a prefix with a hash tag, the password and extra ioredis Cluster options', () => {
      const options = { natMap: { '10.0.0.1:7000': { host: 'public', port: 7000 } }, redisOptions: { tls: {} } };
      const { redis } = resolveAnalyticsOptions({ redis: { cluster: { nodes, options }, prefix: 'my-app:{analytics}', password: 'pw' } }, {});

      expect(redis).toEqual({ cluster: { nodes, options }, prefix: 'my-app:{analytics}', password: 'pw' });
    });

    it.each(['bull', '{}', '{}bull{x}', 'analytics}{', 'bull{'])('refuses the prefix %j, which would spread the queue over slots', (prefix) => {
      expect(problemsOf({ redis: { cluster: { nodes }, prefix } })).toEqual([
        `redis.prefix must contain a hash tag such as '{bull}' when redis.cluster is set, so that all keys of the queue are in one slot, got ${JSON.stringify(prefix)}`,
      ]);
    });

    it('accepts any prefix without a cluster', () => {
      expect(resolveAnalyticsOptions({ redis: { prefix: 'bull' } }, {}).redis.prefix).toBe('bull');
    });

    it.each<[string, unknown]>([
      ['an empty list', []],
      ['a string', '10.0.0.1:7000'],
      ['a node without a port', ['10.0.0.1']],
      ['a port out of range', ['10.0.0.1:70000']],
      ['a port zero', ['10.0.0.1:0']],
      ['a URL', ['redis://10.0.0.1:7000']],
      ['an object with a string port', [{ host: 'a', port: '7000' }]],
      ['an object with an empty host', [{ host: '', port: 7000 }]],
      ['an object with an unknown field', [{ host: 'a', port: 7000, password: 'x' }]],
      ['a number', [7000]],
    ])('refuses %s as nodes', (_label, value) => {
      const [problem, ...rest] = problemsOf({ redis: { cluster: { nodes: value } } });

      expect(rest).toEqual([]);
      expect(problem).toBe(
        `redis.cluster.nodes must be a non-empty array of "host:port" strings or { host, port } objects (port 1-65535), got ${JSON.stringify(value)}`,
      );
    });

    it('refuses a cluster without nodes, an unknown field, and options that are not an object', () => {
      expect(problemsOf({ redis: { cluster: {} } })).toEqual([
        'redis.cluster.nodes must be a non-empty array of "host:port" strings or { host, port } objects (port 1-65535), got undefined',
      ]);
      expect(problemsOf({ redis: { cluster: { nodes, node: 'a:1' } } })).toEqual(['redis.cluster.node is not a known option (check its spelling)']);
      expect(problemsOf({ redis: { cluster: { nodes, options: 'tls' } } })).toEqual([
        'redis.cluster.options must be an object of ioredis Cluster options, got "tls"',
      ]);
      expect(problemsOf({ redis: { cluster: ['a:1'] } })).toEqual(['redis.cluster must be an object, got ["a:1"]']);
    });

    it('refuses the single-server fields next to a cluster, hiding URL credentials', () => {
      expect(problemsOf({ redis: { cluster: { nodes }, url: 'redis://:secret@cache:6379', host: 'cache', port: 6380, db: 2 } })).toEqual([
        'redis.url cannot be combined with redis.cluster (list the nodes in redis.cluster.nodes), got "redis://***@cache:6379"',
        'redis.host cannot be combined with redis.cluster (list the nodes in redis.cluster.nodes), got "cache"',
        'redis.port cannot be combined with redis.cluster (list the nodes in redis.cluster.nodes), got 6380',
        'redis.db cannot be combined with redis.cluster (a Redis Cluster has only database 0), got 2',
      ]);
    });

    describe('ANALYTICS_REDIS_CLUSTER_NODES', () => {
      it('gives the nodes as "host:port,host:port" when redis names no server', () => {
        const { redis } = resolveAnalyticsOptions({}, { ANALYTICS_REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, 10.0.0.2:7001,' });

        expect(redis).toEqual({ cluster: { nodes: ['10.0.0.1:7000', '10.0.0.2:7001'] }, prefix: '{bull}' });
      });

      it('keeps the user prefix and names the variable of a bad node', () => {
        expect(resolveAnalyticsOptions({ redis: { prefix: '{app}' } }, { ANALYTICS_REDIS_CLUSTER_NODES: 'a:1' }).redis).toEqual({
          cluster: { nodes: ['a:1'] },
          prefix: '{app}',
        });
        expect(problemsOf({}, { ANALYTICS_REDIS_CLUSTER_NODES: 'a:1,b' })).toEqual([
          'redis.cluster.nodes must be a non-empty array of "host:port" strings or { host, port } objects (port 1-65535), got ["a:1","b"] (from ANALYTICS_REDIS_CLUSTER_NODES)',
        ]);
      });

      it('is not used when the user gives redis.url, redis.host or redis.cluster', () => {
        const env = { ANALYTICS_REDIS_CLUSTER_NODES: 'env:7000' };

        expect(resolveAnalyticsOptions({ redis: { url: 'redis://cache:6379' } }, env).redis).toEqual({ url: 'redis://cache:6379', prefix: 'bull' });
        expect(resolveAnalyticsOptions({ redis: { host: 'cache' } }, env).redis).toEqual({ host: 'cache', prefix: 'bull' });
        expect(resolveAnalyticsOptions({ redis: { cluster: { nodes: ['user:7000'] } } }, env).redis.cluster).toEqual({ nodes: ['user:7000'] });
      });

      it('ANALYTICS_REDIS_URL is not used next to a user cluster, and conflicts with the cluster variable', () => {
        const user = resolveAnalyticsOptions({ redis: { cluster: { nodes } } }, { ANALYTICS_REDIS_URL: 'redis://env:6379' });

        expect(user.redis.url).toBeUndefined();
        expect(problemsOf({}, { ANALYTICS_REDIS_URL: 'redis://env:6379', ANALYTICS_REDIS_CLUSTER_NODES: 'a:1' })).toEqual([
          'redis.url cannot be combined with redis.cluster (list the nodes in redis.cluster.nodes), got "redis://env:6379" (from ANALYTICS_REDIS_URL)',
        ]);
      });
    });
  });

  it('says once, naming its keys and not their values, that a req.user with no id, sub or userId gives rows no user', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const { getUserId } = resolveAnalyticsOptions({}, {});
      expect(getUserId({ user: { uid: 'u-secret-1', email: 'ann@example.com' } })).toBeUndefined();
      expect(getUserId({ user: { uid: 'u-secret-2' } })).toBeUndefined();
      expect(getUserId({})).toBeUndefined();
      const lines = warn.mock.calls.map((call) => String(call[0]));
      expect(lines).toEqual([expect.stringContaining('req.user is set but has no id, sub or userId (its keys: uid, email)')]);
      expect(lines[0]).not.toContain('u-secret');
    } finally {
      warn.mockRestore();
    }
  });
});

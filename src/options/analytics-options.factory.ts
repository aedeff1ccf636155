import { Logger } from '@nestjs/common';
import { validateSync, ValidationError } from 'class-validator';
import { AnalyticsOptionsError } from '../analytics.errors';
import { messages } from '../analytics.messages';
import { readUser } from '../capture/read-property';
import { AnalyticsModuleOptions } from './analytics-module-options.interface';
import { DEFAULT_CLUSTER_PREFIX, DEFAULT_OPTIONS, DEFAULT_REDACT_KEYS, DEFAULT_SKIP_PATHS } from './analytics-options.defaults';
import {
  AnalyticsOptionsSchema,
  DatabaseOptionsSchema,
  FlushOptionsSchema,
  RedisClusterOptionsSchema,
  RedisOptionsSchema,
  ResolvedAnalyticsOptions,
  SamplingOptionsSchema,
  WorkerOptionsSchema,
} from './analytics-options.schema';
import { readEnvOverrides } from './env-overrides';

/**
 * `req.user.id`, else `req.user.sub` (a JWT's subject), else `req.user.userId` (what the
 * NestJS authentication guide's Passport JWT strategy returns). `req.user` is read once, as
 * read-property.ts explains: a read on Express's request can be slow. A `req.user` with none
 * of them is said once in the log, naming its keys (never their values): every row would
 * otherwise lack its user, silently.
 */
const defaultGetUserId = (req: unknown) => {
  const user = readUser(req);
  if (user === undefined || user === null) return undefined;
  const id = user.id ?? user.sub ?? user.userId;
  if ((id === undefined || id === null) && !userWithoutIdReported) {
    userWithoutIdReported = true;
    new Logger('RequestTracking').warn(messages.userWithoutId(typeof user === 'object' ? Object.keys(user) : [typeof user]));
  }
  return id;
};
let userWithoutIdReported = false;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RegExp);

/** Drops keys whose value is `undefined`, so `{ intervalMs: undefined }` keeps the default. */
const defined = (value: unknown): Record<string, unknown> =>
  isPlainObject(value) ? Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) : {};

/** A nested section: a class instance when it is an object, else the raw value so the validator names it. */
function section<T extends object>(Schema: new () => T, base: object, env: object, user: unknown): T | unknown {
  if (user !== undefined && !isPlainObject(user)) return user;
  return Object.assign(new Schema(), base, env, defined(user));
}

/**
 * The one place where options are merged (defaults ← environment ← user) and validated,
 * used by both `forRoot()` and `forRootAsync()`.
 *
 * @throws AnalyticsOptionsError naming each bad option, its value and the rule.
 */
export function resolveAnalyticsOptions(
  input: AnalyticsModuleOptions | undefined | null,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedAnalyticsOptions {
  if (input != null && !isPlainObject(input)) {
    throw new AnalyticsOptionsError([messages.optionProblem('options', 'must be an object', input)]);
  }
  const user = (input ?? {}) as Record<string, any>;
  const { values: envValues, sources } = readEnvOverrides(env, user);

  const top = { ...defined(envValues), ...defined(user) };
  const userDb = user.database;
  // Discrete connection fields replace the default URL rather than fight with it.
  const dbBase =
    isPlainObject(userDb) && (userDb.host || userDb.url) ? { schema: 'analytics', poolSize: 5 } : DEFAULT_OPTIONS.database;
  const userRedis = user.redis;
  const redisBase = redisDefaults(isPlainObject(userRedis) ? userRedis : {}, envValues.redis);

  const candidate = Object.assign(new AnalyticsOptionsSchema(), {
    enabled: DEFAULT_OPTIONS.enabled,
    queueName: DEFAULT_OPTIONS.queueName,
    skipPaths: [...DEFAULT_SKIP_PATHS],
    trackAuthenticatedOnly: DEFAULT_OPTIONS.trackAuthenticatedOnly,
    getUserId: defaultGetUserId,
    pricing: {},
    runMigrations: DEFAULT_OPTIONS.runMigrations,
    captureStackTraces: DEFAULT_OPTIONS.captureStackTraces,
    ...top,
    // Merged only when valid, so a bad value is reported as the user wrote it.
    redactKeys: Array.isArray(user.redactKeys) && user.redactKeys.every((k: unknown) => typeof k === 'string')
      ? [...new Set([...DEFAULT_REDACT_KEYS, ...user.redactKeys])]
      : (user.redactKeys ?? [...DEFAULT_REDACT_KEYS]),
    database: section(DatabaseOptionsSchema, dbBase, defined(envValues.database), userDb),
    redis: withClusterSection(section(RedisOptionsSchema, redisBase, defined(envValues.redis), userRedis)),
    flush: section(FlushOptionsSchema, DEFAULT_OPTIONS.flush, defined(envValues.flush), user.flush),
    sampling: section(SamplingOptionsSchema, DEFAULT_OPTIONS.sampling, defined(envValues.sampling), user.sampling),
    worker: section(WorkerOptionsSchema, DEFAULT_OPTIONS.worker, defined(envValues.worker), user.worker),
  });

  const errors = validateSync(candidate, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false });
  if (errors.length) {
    throw new AnalyticsOptionsError(errors.flatMap((e) => describeErrors(e, '', sources)));
  }
  return candidate;
}

/**
 * The defaults under the user's `redis`: a server of their own (`url`, `host`) or a
 * cluster replaces the default URL instead of mixing with it, and a cluster gets a
 * hash-tag prefix.
 */
function redisDefaults(user: Record<string, unknown>, env: Record<string, unknown>): object {
  if (user.cluster !== undefined || (env.cluster !== undefined && !user.url && !user.host)) {
    return { prefix: DEFAULT_CLUSTER_PREFIX };
  }
  return user.host || user.url ? { prefix: DEFAULT_OPTIONS.redis.prefix } : DEFAULT_OPTIONS.redis;
}

/** `redis.cluster` as a class instance when it is an object, so its fields are validated too. */
function withClusterSection(redis: unknown): unknown {
  if (!(redis instanceof RedisOptionsSchema) || !isPlainObject(redis.cluster)) return redis;
  redis.cluster = Object.assign(new RedisClusterOptionsSchema(), defined(redis.cluster));
  return redis;
}

/** Options whose values are never echoed in an error message. */
const SECRET_OPTIONS = new Set(['hashKey', 'database.password', 'redis.password', 'database.url', 'redis.url']);

function shown(path: string, value: unknown): unknown {
  if (!SECRET_OPTIONS.has(path) || typeof value !== 'string') return value;
  return path.endsWith('url') ? value.replace(/\/\/[^@/]*@/, '//***@') : `(hidden, ${value.length} characters)`;
}

function describeErrors(error: ValidationError, parent: string, sources: Map<string, string>): string[] {
  const path = parent ? `${parent}.${error.property}` : error.property;
  if (error.constraints) {
    if (error.constraints.whitelistValidation) return [messages.unknownOption(path)];
    // A section that is not an object (an array, say) says so once, without its items.
    return [messages.optionProblem(path, Object.values(error.constraints)[0], shown(path, error.value), sources.get(path))];
  }
  return (error.children ?? []).flatMap((c) => describeErrors(c, path, sources));
}

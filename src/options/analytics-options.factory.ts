import { validateSync, ValidationError } from 'class-validator';
import { AnalyticsOptionsError } from '../analytics.errors';
import { messages } from '../analytics.messages';
import { AnalyticsModuleOptions } from './analytics-module-options.interface';
import { DEFAULT_OPTIONS, DEFAULT_REDACT_KEYS, DEFAULT_SKIP_PATHS } from './analytics-options.defaults';
import {
  AnalyticsOptionsSchema,
  DatabaseOptionsSchema,
  FlushOptionsSchema,
  RedisOptionsSchema,
  ResolvedAnalyticsOptions,
  SamplingOptionsSchema,
  WorkerOptionsSchema,
} from './analytics-options.schema';
import { readEnvOverrides } from './env-overrides';

const defaultGetUserId = (req: any) => req?.user?.id ?? req?.user?.sub;

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
  const redisBase = isPlainObject(userRedis) && (userRedis.host || userRedis.url) ? { prefix: 'bull' } : DEFAULT_OPTIONS.redis;

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
    redis: section(RedisOptionsSchema, redisBase, defined(envValues.redis), userRedis),
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

/** Options whose values are never echoed in an error message. */
const SECRET_OPTIONS = new Set(['hashKey', 'database.password', 'redis.password', 'database.url', 'redis.url']);

function shown(path: string, value: unknown): unknown {
  if (!SECRET_OPTIONS.has(path) || typeof value !== 'string') return value;
  return path.endsWith('url') ? value.replace(/\/\/[^@/]*@/, '//***@') : `(hidden, ${value.length} characters)`;
}

function describeErrors(error: ValidationError, parent: string, sources: Map<string, string>): string[] {
  const path = parent ? `${parent}.${error.property}` : error.property;
  const own: string[] = [];
  if (error.constraints) {
    if (error.constraints.whitelistValidation) {
      own.push(messages.unknownOption(path));
    } else {
      own.push(messages.optionProblem(path, Object.values(error.constraints)[0], shown(path, error.value), sources.get(path)));
    }
  }
  return [...own, ...(error.children ?? []).flatMap((c) => describeErrors(c, path, sources))];
}

import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  ValidateNested,
  ValidationArguments,
  ValidationOptions,
} from 'class-validator';
import type { ClusterOptions } from 'ioredis';
import { hasHashTag, parseClusterNode } from './redis-cluster-node';

/*
 * Validation rules of every option. Each `message` is the rule alone; the path and the
 * value are added by `analytics-options.factory.ts`, so a problem reads
 * `flush.intervalMs must be a positive integer, got -5`.
 */
const rule = (message: string): ValidationOptions => ({ message });
const POSITIVE_INT = rule('must be a positive integer');
const BOOLEAN = rule('must be a boolean');
const OBJECT = rule('must be an object');
const PORT = rule('must be an integer port (1-65535)');
const IsPort = (): PropertyDecorator => (target, key) => {
  IsInt(PORT)(target, key);
  Min(1, PORT)(target, key);
  Max(65535, PORT)(target, key);
};

const IsFunction = (options: ValidationOptions) =>
  ValidateBy({ name: 'isFunction', validator: { validate: (v) => typeof v === 'function' } }, options);

const IsStringOrRegExpArray = (options: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isStringOrRegExpArray',
      validator: {
        validate: (v) =>
          Array.isArray(v) && v.every((p) => p instanceof RegExp || (typeof p === 'string' && p.startsWith('/'))),
      },
    },
    options,
  );

const IsBooleanOrObject = (options: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isBooleanOrObject',
      validator: { validate: (v) => typeof v === 'boolean' || (typeof v === 'object' && v !== null) },
    },
    options,
  );

const IsPriceTable = (options: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isPriceTable',
      validator: {
        validate: (v) =>
          typeof v === 'object' &&
          v !== null &&
          Object.values(v).every(
            (p: any) =>
              typeof p === 'object' &&
              p !== null &&
              [p.input, p.output].every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0) &&
              (p.cachedInput === undefined || (typeof p.cachedInput === 'number' && Number.isFinite(p.cachedInput) && p.cachedInput >= 0)),
          ),
      },
    },
    options,
  );

export class DatabaseOptionsSchema {
  @IsOptional() @Matches(/^postgres(ql)?:\/\//, rule('must be a postgres:// or postgresql:// URL')) url?: string;
  @IsOptional() @IsString(rule('must be a string')) host?: string;
  @IsOptional() @IsPort() port?: number;
  @IsOptional() @IsString(rule('must be a string')) username?: string;
  @IsOptional() @IsString(rule('must be a string')) password?: string;
  @IsOptional() @IsString(rule('must be a string')) database?: string;
  @IsOptional() @IsBooleanOrObject(rule('must be a boolean or a TLS options object')) ssl?: boolean | Record<string, unknown>;
  // One connection holds the migration lock while another applies the migrations.
  @IsInt(rule('must be an integer of at least 2'))
  @Min(2, rule('must be an integer of at least 2'))
  poolSize: number;
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, rule('must be a lowercase SQL identifier ([a-z_][a-z0-9_]*, at most 63 characters)'))
  schema: string;
}

const IsClusterNodes = (options: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isClusterNodes',
      validator: { validate: (v) => Array.isArray(v) && v.length > 0 && v.every((n) => parseClusterNode(n) !== undefined) },
    },
    options,
  );

const withCluster = (args: ValidationArguments) => (args.object as { cluster?: unknown }).cluster !== undefined;

/** A single-server field (`url`, `host`, `port`, `db`): refused next to `cluster`. */
const NotWithCluster = (message: string) =>
  ValidateBy({ name: 'notWithCluster', validator: { validate: (_v, args) => !withCluster(args!) } }, rule(message));

/** With `cluster`, every key of a queue must hash to one slot, so the prefix needs a hash tag. */
const HasHashTagWithCluster = (options: ValidationOptions) =>
  ValidateBy(
    { name: 'hasHashTagWithCluster', validator: { validate: (v, args) => !withCluster(args!) || (typeof v === 'string' && hasHashTag(v)) } },
    options,
  );

const SINGLE_SERVER = 'cannot be combined with redis.cluster (list the nodes in redis.cluster.nodes)';

export class RedisClusterOptionsSchema {
  @IsClusterNodes(rule('must be a non-empty array of "host:port" strings or { host, port } objects (port 1-65535)'))
  nodes: Array<string | { host: string; port: number }>;
  @IsOptional() @IsObject(rule('must be an object of ioredis Cluster options')) options?: ClusterOptions;
}

export class RedisOptionsSchema {
  @IsOptional() @NotWithCluster(SINGLE_SERVER) @Matches(/^rediss?:\/\//, rule('must be a redis:// or rediss:// URL')) url?: string;
  @IsOptional() @NotWithCluster(SINGLE_SERVER) @IsString(rule('must be a string')) host?: string;
  @IsOptional() @NotWithCluster(SINGLE_SERVER) @IsPort() port?: number;
  @IsOptional() @IsString(rule('must be a string')) password?: string;
  @IsOptional()
  @NotWithCluster('cannot be combined with redis.cluster (a Redis Cluster has only database 0)')
  @IsInt(rule('must be a non-negative integer'))
  @Min(0, rule('must be a non-negative integer'))
  db?: number;
  @IsOptional() @IsObject(OBJECT) @ValidateNested() cluster?: RedisClusterOptionsSchema;
  @IsString(rule('must be a string'))
  @MinLength(1, rule('must not be empty'))
  @HasHashTagWithCluster(
    rule("must contain a hash tag such as '{bull}' when redis.cluster is set, so that all keys of the queue are in one slot"),
  )
  prefix: string;
}

export class FlushOptionsSchema {
  @IsIn(['time', 'count', 'hybrid'], rule("must be one of 'time', 'count', 'hybrid'")) strategy: 'time' | 'count' | 'hybrid';
  @IsInt(POSITIVE_INT) @Min(1, POSITIVE_INT) intervalMs: number;
  @IsInt(POSITIVE_INT) @Min(1, POSITIVE_INT) countThreshold: number;
  @IsInt(POSITIVE_INT) @Min(1, POSITIVE_INT) maxBufferSize: number;
}

export class SamplingOptionsSchema {
  @IsBoolean(BOOLEAN) enabled: boolean;
  @IsNumber({ allowNaN: false, allowInfinity: false }, rule('must be a number between 0 and 1'))
  @Min(0, rule('must be a number between 0 and 1'))
  @Max(1, rule('must be a number between 0 and 1'))
  rate: number;
}

export class WorkerOptionsSchema {
  @IsBoolean(BOOLEAN) enabled: boolean;
  @IsInt(POSITIVE_INT) @Min(1, POSITIVE_INT) concurrency: number;
  @IsInt(POSITIVE_INT) @Min(1, POSITIVE_INT) attempts: number;
  @IsInt(POSITIVE_INT) @Min(1, POSITIVE_INT) backoffMs: number;
  @IsInt(POSITIVE_INT) @Min(1, POSITIVE_INT) writeTimeoutMs: number;
  @IsBoolean(BOOLEAN) thread: boolean;
}

/** The validated shape of the options; nested sections are validated by their own classes. */
export class AnalyticsOptionsSchema {
  @IsBoolean(BOOLEAN) enabled: boolean;
  @IsObject(OBJECT) @ValidateNested() database: DatabaseOptionsSchema;
  @IsObject(OBJECT) @ValidateNested() redis: RedisOptionsSchema;
  @Matches(/^[A-Za-z0-9_.:-]{1,100}$/, rule('must be 1-100 characters of [A-Za-z0-9_.:-]')) queueName: string;
  @IsObject(OBJECT) @ValidateNested() flush: FlushOptionsSchema;
  @IsObject(OBJECT) @ValidateNested() sampling: SamplingOptionsSchema;
  @IsStringOrRegExpArray(rule('must be an array of paths starting with "/" or RegExps')) skipPaths: Array<string | RegExp>;
  @IsBoolean(BOOLEAN) trackAuthenticatedOnly: boolean;
  @IsFunction(rule('must be a function (req) => string | undefined')) getUserId: (req: any) => unknown;
  @IsArray(rule('must be an array of strings'))
  @IsString({ each: true, message: 'must be an array of strings' })
  redactKeys: string[];
  @IsOptional() @IsString(rule('must be a string')) @MinLength(16, rule('must be at least 16 characters')) hashKey?: string;
  @IsPriceTable(rule('must map model names to { input, output, cachedInput? } prices (USD per 1M tokens, >= 0)'))
  pricing: Record<string, { input: number; output: number; cachedInput?: number }>;
  @IsObject(OBJECT) @ValidateNested() worker: WorkerOptionsSchema;
  @IsBoolean(BOOLEAN) runMigrations: boolean;
  @IsBoolean(BOOLEAN) captureStackTraces: boolean;
}

/** Options after defaults, environment overrides and validation: what the module runs on. */
export type ResolvedAnalyticsOptions = AnalyticsOptionsSchema;

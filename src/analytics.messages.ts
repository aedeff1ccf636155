/** Every message the module prints or throws, built in one place. */

export const describeValue = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (typeof value === 'function') return 'a function';
  if (value instanceof RegExp) return String(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
};

export const messages = {
  optionProblem: (path: string, rule: string, value: unknown, envVar?: string) =>
    `${path} ${rule}, got ${describeValue(value)}${envVar ? ` (from ${envVar})` : ''}`,
  unknownOption: (path: string) => `${path} is not a known option (check its spelling)`,

  missingHashKey: () =>
    'hashIdentifier() needs a key of at least 16 characters: set AnalyticsModule.forRoot({ hashKey }) or ANALYTICS_HASH_KEY; ' +
    'in tests, AnalyticsTestingModule.forRoot({ hashKey }) (the testing module reads no environment variables).',
  requiredString: (field: string, value: unknown) =>
    `${field} is required and must be a non-empty string, got ${describeValue(value)}`,
  notAString: (field: string, value: unknown) => `${field} must be a string, got ${describeValue(value)}`,
  notHex64: (field: string) =>
    `${field} must be 64 lowercase hex characters (an HMAC-SHA256 from hashIdentifier()), got a value that is not; never pass raw identifiers such as e-mails here`,
  notOneOf: (field: string, allowed: readonly string[], value: unknown) =>
    `${field} must be one of ${allowed.join(', ')}, got ${describeValue(value)}`,
  notFiniteNumber: (field: string, value: unknown) => `${field} must be a finite number, got ${describeValue(value)}`,
  notBoolean: (field: string, value: unknown) => `${field} must be a boolean, got ${describeValue(value)}`,
  notDate: (field: string, value: unknown) => `${field} must be a valid Date, got ${describeValue(value)}`,
  outOfRange: (field: string, range: string, value: unknown) => `${field} must be ${range}, got ${describeValue(value)}`,
  notObject: (field: string, value: unknown) => `${field} must be a plain object, got ${describeValue(value)}`,

  userWithoutId: (keys: string[]) =>
    `req.user is set but has no id, sub or userId (its keys: ${keys.slice(0, 10).join(', ') || 'none'}): rows get no user_id, and trackAuthenticatedOnly drops them. ` +
    'Tell the module where the id is: AnalyticsModule.forRoot({ getUserId: (req) => req.user?.<field> }).',
  bufferOverflow: (dropped: number, max: number) =>
    `Analytics buffer is full (flush.maxBufferSize = ${max}): ${dropped} record(s) dropped since the last warning. Is Redis reachable?`,
  enqueueFailed: (records: number, reason: string) =>
    `Could not hand ${records} record(s) to the queue (${reason}); they stay buffered and are retried.`,
  redisNotReady: (status: string) => `Redis connection is ${status}`,
  enqueueTimeout: (ms: number) => `queue.add() did not answer within ${ms} ms`,
  batchFailed: (jobId: string | number, attempt: number, attempts: number, reason: string) =>
    `Batch ${jobId} failed to persist (attempt ${attempt}/${attempts}): ${reason}`,
  batchExhausted: (jobId: string | number, records: number, reason: string) =>
    `Batch ${jobId} (${records} records) exhausted its attempts (last error: ${reason}); it is kept in the failed set: call auditService.retryFailedBatches() to replay it.`,
  databaseUnavailable: (reason: string) =>
    `Analytics database is not reachable (${reason}); records are kept in the queue and written when it is back.`,
  writeTimeout: (ms: number) =>
    `PostgreSQL did not answer within ${ms} ms (worker.writeTimeoutMs): a frozen connection, or a lock held that long; the connection was closed and the batch will be retried`,
  databaseNotPrepared: (schema: string, reason: string, privileges: boolean) =>
    `Analytics database schema "${schema}" could not be prepared (${reason}); records are kept in the queue and the worker tries again on its next batch.` +
    (privileges
      ? ' This role may not create what the schema needs: run `nestjs-analytics migrate` as the schema\'s owner and start with runMigrations: false (README, "Database privileges").'
      : ''),
  migrationLockTimeout: (schema: string, ms: number) =>
    `another instance has held the migration lock of schema "${schema}" for more than ${ms} ms (it is migrating, or its migration waits for a table lock)`,
  schemaIncomplete: (schema: string, missing: string[], runMigrations: boolean) =>
    `Analytics schema "${schema}" lacks what the writer needs: ${missing.join(', ')}. Batches with rows for these tables fail (and are kept) until it is there: ` +
    (runMigrations
      ? 'it was dropped after the migrations ran; restore it by hand (the migrations count as applied).'
      : 'run `nestjs-analytics migrate` (README, "Migrations"), or start with runMigrations: true.'),
  workerThreadUnavailable: (reason: string) =>
    `The analytics worker runs on the main thread: it could not start in a worker thread (${reason}). Set worker.thread: false to choose this and silence the warning.`,
  workerThreadFailed: (reason: string) => `The analytics worker thread failed: ${reason}`,
  workerThreadStopped: (reason: string) =>
    `The analytics worker thread stopped (${reason}); the worker runs on the main thread from now on. Batches it held are retried by Bull after its stalled-job check.`,
  redisError: (reason: string) => `Analytics Redis connection error: ${reason}`,
  migrationsApplied: (schema: string, names: string[]) =>
    names.length ? `Applied ${names.length} analytics migration(s) to schema "${schema}": ${names.join(', ')}` : '',
  persistenceTimeout: (ms: number, pending: number) =>
    `Gave up waiting after ${ms} ms with ${pending} batch(es) not yet persisted; they stay in the queue and the worker keeps retrying them.`,
  shutdownLost: (ms: number, records: number) =>
    `Shutdown: for ${ms} ms neither Redis nor PostgreSQL took the last records; ${records} buffered record(s) are lost.`,
  shutdownWroteStraight: (records: number) =>
    `Shutdown: Redis is unreachable; wrote ${records} buffered record(s) straight to PostgreSQL instead.`,
  shutdownStraightFailed: (reason: string) =>
    `Shutdown: Redis is unreachable and writing the buffered records straight to PostgreSQL failed (${reason}); retrying until the deadline.`,
  recordAfterShutdown: () =>
    'A record was made after the application shut down (after its final drain); it is dropped and counted in stats().dropped.',
  disabled: () => 'nestjs-analytics is disabled (enabled: false): nothing is recorded.',
};

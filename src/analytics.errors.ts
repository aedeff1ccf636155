/**
 * Thrown synchronously by `AuditService` methods when an argument is invalid
 * (missing action, a `subjectHash` that is not 64 hex characters, …).
 * Persistence trouble never throws; only caller mistakes do.
 */
export class AnalyticsValidationError extends Error {
  override readonly name = 'AnalyticsValidationError';
  constructor(
    message: string,
    /** The argument that was refused, e.g. `action` or `extra.subjectHash`. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * Thrown while the module starts when `AnalyticsModule.forRoot()` / `forRootAsync()`
 * was given an invalid option. The message names every bad option, its value and the rule.
 */
export class AnalyticsOptionsError extends Error {
  override readonly name = 'AnalyticsOptionsError';
  constructor(readonly problems: string[]) {
    super(`Invalid nestjs-analytics options:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Thrown by `hashIdentifier()` when no `hashKey` is configured. */
export class AnalyticsConfigurationError extends Error {
  override readonly name = 'AnalyticsConfigurationError';
}

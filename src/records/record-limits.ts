/** Size limits applied before anything is queued. Larger values are truncated and marked, never rejected. */
export const LIMITS = {
  /** Characters of a string inside a JSON value. */
  jsonString: 2_000,
  /** Nesting depth of a JSON value. */
  jsonDepth: 8,
  /** Keys kept per object. */
  jsonKeys: 100,
  /** Items kept per array. */
  jsonItems: 100,
  /** Serialized size of one JSON column, in characters. */
  jsonTotal: 32_000,
  /** Free-text columns (message, error_message). */
  text: 10_000,
  stackTrace: 20_000,
  userAgent: 1_000,
  endpoint: 2_000,
  /** Short identifier columns (user_id, resource_id, …). */
  identifier: 255,
  short: 100,
} as const;

export const TRUNCATED_MARK = '…[truncated]';
export const REDACTED = '[REDACTED]';

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

/** Bounds of the numeric columns: what is outside is clamped, refused or stored as unknown (see RecordFactory). */
export const COLUMN_BOUNDS = {
  /** The largest value of the `integer` columns (tokens, byte sizes). */
  integerMax: 2_147_483_647,
  /** `cost_estimate` is `numeric(12,6)`: costs below this many USD. */
  costUsdBelow: 1_000_000,
} as const;

export const TRUNCATED_MARK = '…[truncated]';
export const REDACTED = '[REDACTED]';

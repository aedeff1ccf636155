import { AnalyticsValidationError } from '../analytics.errors';
import { messages } from '../analytics.messages';
import { isSubjectHash } from './identifier-hasher';
import { COLUMN_BOUNDS } from './record-limits';

/*
 * Argument checks of the AuditService methods. Each throws AnalyticsValidationError
 * naming the argument; each returns the value so calls read as assignments.
 */

export function requireString(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new AnalyticsValidationError(messages.requiredString(field, value), field);
  }
  return value;
}

export function optionalId(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string') return value;
  throw new AnalyticsValidationError(messages.notAString(field, value), field);
}

export function optionalString(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AnalyticsValidationError(messages.notAString(field, value), field);
  return value;
}

export function optionalOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (!allowed.includes(value as T)) throw new AnalyticsValidationError(messages.notOneOf(field, allowed, value), field);
  return value as T;
}

export function optionalNumber(field: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new AnalyticsValidationError(messages.notFiniteNumber(field, value), field);
  }
  return value;
}

export function optionalBoolean(field: string, value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new AnalyticsValidationError(messages.notBoolean(field, value), field);
  return value;
}

export function optionalDate(field: string, value: unknown): Date | undefined {
  if (value === undefined || value === null) return undefined;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new AnalyticsValidationError(messages.notDate(field, value), field);
  }
  // PostgreSQL's timestamptz refuses the extended years a JS Date can hold (±275760).
  const year = value.getUTCFullYear();
  if (year < 1 || year > 9999) throw new AnalyticsValidationError(messages.outOfRange(field, 'a date in the years 1 to 9999', value), field);
  return value;
}

/** An HTTP status code, 100 to 999 (the `smallint` column's share of it). */
export function optionalStatusCode(field: string, value: unknown): number | undefined {
  const n = optionalNumber(field, value);
  if (n !== undefined && (!Number.isInteger(n) || n < 100 || n > 999)) {
    throw new AnalyticsValidationError(messages.outOfRange(field, 'an integer HTTP status from 100 to 999', value), field);
  }
  return n;
}

/** A token count or byte size: a number of 0 or more (a larger one than the column holds is clamped later). */
export function optionalCount(field: string, value: unknown): number | undefined {
  const n = optionalNumber(field, value);
  if (n !== undefined && n < 0) throw new AnalyticsValidationError(messages.outOfRange(field, 'a count of 0 or more', value), field);
  return n;
}

/** A duration in milliseconds: 0 or more. */
export function optionalDuration(field: string, value: unknown): number | undefined {
  const n = optionalNumber(field, value);
  if (n !== undefined && n < 0) throw new AnalyticsValidationError(messages.outOfRange(field, 'a duration in milliseconds of 0 or more', value), field);
  return n;
}

/** A cost in USD that `numeric(12,6)` holds: 0 up to, not including, 1,000,000. */
export function optionalCost(field: string, value: unknown): number | undefined {
  const n = optionalNumber(field, value);
  if (n !== undefined && (n < 0 || n >= COLUMN_BOUNDS.costUsdBelow)) {
    throw new AnalyticsValidationError(messages.outOfRange(field, 'a cost from 0 to less than 1,000,000 USD', value), field);
  }
  return n;
}

export function optionalObject(field: string, value: unknown): object | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new AnalyticsValidationError(messages.notObject(field, value), field);
  }
  return value;
}

export function optionalSubjectHash(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isSubjectHash(value)) throw new AnalyticsValidationError(messages.notHex64(field), field);
  return value;
}

export function optionalTags(field: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((t) => typeof t === 'string')) {
    throw new AnalyticsValidationError(messages.notAString(`${field}[]`, value), field);
  }
  return value;
}

export function requireBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new AnalyticsValidationError(messages.notBoolean(field, value), field);
  return value;
}

export function requireObject(field: string, value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AnalyticsValidationError(messages.notObject(field, value), field);
  }
}

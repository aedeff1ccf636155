import type { RequestState } from '../capture/request-state';
import type { AuditSeverity, AuditStatus, AuthEventType, SourceSystem } from './audit.enums';

/** The five analytics tables; the buffer and the writer group records by them. */
export type TableName =
  | 'api_access_logs'
  | 'authentication_logs'
  | 'external_api_call_logs'
  | 'audit_logs'
  | 'event_logs';

/** The table of log-once keys (`event_dedup_keys`): beside `event_logs`, never written on its own. */
export const DEDUP_KEYS_TABLE = 'event_dedup_keys';

export const TABLE_NAMES: readonly TableName[] = [
  'api_access_logs',
  'authentication_logs',
  'external_api_call_logs',
  'audit_logs',
  'event_logs',
];

/** A row ready for insertion: snake_case column names, JSON-safe values. */
export type RecordRow = Record<string, unknown> & { id: string; created_at: string };

/** One record in the buffer: the table it goes to and its row. */
export interface BufferedRecord {
  table: TableName;
  row: RecordRow;
}

/**
 * What the buffer holds: a built row, or a finished request whose `api_access_logs` row is
 * built only when its batch leaves the process (off the request path).
 */
export type QueuedRecord = BufferedRecord | RequestState;

/** True for a record whose row is already built. */
export const hasRow = (record: QueuedRecord): record is BufferedRecord => (record as BufferedRecord).row !== undefined;

/** The payload of a format-1 Bull job (before 0.2): rows grouped by table. Still accepted by the worker. */
export type BatchPayload = Partial<Record<TableName, RecordRow[]>>;

/** Rows of one table in a job: the column names once, then one array of values per row. */
export interface TableRows {
  columns: string[];
  values: unknown[][];
}

/**
 * The payload of one Bull job: rows grouped by table, as value arrays (no key repeated per
 * row). Written by `BatchEncoder`, read by `BatchWriter`.
 */
export interface EncodedBatch {
  v: 2;
  tables: Partial<Record<TableName, TableRows>>;
}

/** What a job may carry: the current format, or rows from an older producer. */
export type JobPayload = EncodedBatch | BatchPayload;

/** Input of `AuditService.log()`. Only `action` is required. */
export interface AuditEntryInput {
  /** Free string, e.g. `'project.update'` or an `AuditAction`. */
  action: string;
  message?: string;
  /** @default 'info' ('error' when status is 'failure') */
  severity?: AuditSeverity | `${AuditSeverity}`;
  /** @default 'success' */
  status?: AuditStatus;
  userId?: string | number;
  userEmail?: string;
  tenantId?: string;
  sessionId?: string;
  requestId?: string;
  correlationId?: string;
  sourceIp?: string;
  userAgent?: string;
  /** @default 'api' inside a request, else 'system' */
  sourceSystem?: SourceSystem;
  area?: string;
  resourceType?: string;
  resourceId?: string | number;
  parentResourceId?: string | number;
  operationId?: string;
  beforeData?: unknown;
  afterData?: unknown;
  /** Computed from `beforeData`/`afterData` when absent. */
  changes?: unknown;
  metadata?: Record<string, unknown>;
  tags?: string[];
  category?: string;
  errorCode?: string;
  errorMessage?: string;
  stackTrace?: string;
  durationMs?: number;
  retentionPolicy?: string;
  isSensitive?: boolean;
  isComplianceRelevant?: boolean;
  /** When it happened. @default now */
  occurredAt?: Date;
}

/** Input of `AuditService.logAuthEvent()`. */
export interface AuthEventInput {
  eventType: AuthEventType | `${AuthEventType}` | string;
  success: boolean;
  userId?: string | number;
  errorMessage?: string;
  metadata?: object;
}

/** Input of `AuditService.logExternalApiCall()`. Unknown tokens or cost stay `NULL`, never 0. */
export interface ExternalCallInput {
  /** e.g. `'gemini'`, `'openai'`, `'stripe'` */
  service: string;
  endpoint?: string;
  /** @default 'POST' */
  method?: string;
  statusCode?: number;
  responseTimeMs?: number;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
  reasoningTokens?: number;
  /** US dollars; computed from the price table when absent and the model and tokens are known. */
  costEstimate?: number;
  requestSizeBytes?: number;
  responseSizeBytes?: number;
  errorMessage?: string;
  metadata?: Record<string, unknown>;
  userId?: string | number;
  occurredAt?: Date;
}

/** Extra fields of `AuditService.trackEvent()`. */
export interface TrackEventExtra {
  userId?: string | number;
  /** HMAC from `hashIdentifier()`: 64 hex characters. */
  subjectHash?: string;
  /** @default 1 */
  value?: number;
  /** @default 'backend' */
  source?: 'backend' | 'frontend';
  occurredAt?: Date;
  /** Log-once key: a second event with the same key is never stored. */
  dedupKey?: string;
}

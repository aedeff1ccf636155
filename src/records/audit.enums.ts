/** Severity of an audit record. Stored as its string value. */
export enum AuditSeverity {
  DEBUG = 'debug',
  INFO = 'info',
  WARNING = 'warning',
  ERROR = 'error',
  CRITICAL = 'critical',
}

/** Kinds of authentication events; any other string is accepted too. */
export enum AuthEventType {
  SIGNUP = 'signup',
  LOGIN = 'login',
  LOGOUT = 'logout',
  LOGIN_FAILED = 'login_failed',
  TOKEN_REFRESH = 'token_refresh',
  PASSWORD_RESET = 'password_reset',
}

/**
 * Common audit actions. Actions are free strings in the database; these are conventions.
 *
 * @example auditService.logUserAction(userId, AuditAction.UPDATE, 'Renamed project')
 */
export enum AuditAction {
  CREATE = 'create',
  READ = 'read',
  UPDATE = 'update',
  DELETE = 'delete',
  LOGIN = 'login',
  LOGOUT = 'logout',
  EXPORT = 'export',
  IMPORT = 'import',
  APPROVE = 'approve',
  REJECT = 'reject',
  PERMISSION_CHANGE = 'permission_change',
  CONFIG_CHANGE = 'config_change',
  SYSTEM = 'system',
}

/** Outcome of an audited action. */
export type AuditStatus = 'success' | 'failure';

/** Where a record originated. */
export type SourceSystem = 'web' | 'api' | 'cli' | 'worker' | 'system';

export const SEVERITIES: readonly string[] = Object.values(AuditSeverity);
export const SOURCE_SYSTEMS: readonly SourceSystem[] = ['web', 'api', 'cli', 'worker', 'system'];
export const AUDIT_STATUSES: readonly AuditStatus[] = ['success', 'failure'];
export const EVENT_SOURCES = ['backend', 'frontend'] as const;

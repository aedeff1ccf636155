import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { AnalyticsCallInterceptor } from './analytics-call.interceptor';
import { AUDITED_METADATA, AuditedOptions } from './analytics.metadata';

/**
 * Records one `audit_logs` row per call of the decorated method: `status = 'success'`
 * with `duration_ms`, or `status = 'failure'`, `severity = 'error'` and the error (which
 * is rethrown unchanged). Works on controller methods (through the module's interceptor)
 * and on methods of any singleton provider (wrapped at start-up), sync, async or
 * Observable-returning. Only attaches metadata (its own, and a handler-scoped interceptor
 * used for microservice/WebSocket handlers): the method, its `this` and its other
 * decorators are untouched.
 *
 * @example
 * @Audited({ action: 'project.update', resourceType: 'project', resourceId: ({ args }) => args[0],
 *   before: ({ args }) => this.repo.findOne(args[0]), after: ({ result }) => result })
 * async update(id: string, dto: UpdateProjectDto) { … }
 */
export const Audited = (options: AuditedOptions = {}): MethodDecorator =>
  applyDecorators(SetMetadata(AUDITED_METADATA, options), UseInterceptors(AnalyticsCallInterceptor));

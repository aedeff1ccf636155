import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Observable } from 'rxjs';
import { ANALYTICS_MODULE_OPTIONS } from '../analytics.constants';
import type { ResolvedAnalyticsOptions } from '../options/analytics-options.schema';
import { isWrapped } from './analytics.explorer';
import { AUDITED_METADATA, AuditedOptions, TRACK_EXTERNAL_METADATA, TrackExternalMetadata } from './analytics.metadata';
import { AuditedCallRecorder } from './audited-call.recorder';
import { ExternalCallRecorder } from './external-call.recorder';

/**
 * Attached by `@Audited()`/`@TrackExternal()` to the decorated handler only (never
 * global). HTTP handlers are already wrapped by the explorer and pass straight through;
 * microservice, WebSocket and GraphQL handlers, whose listeners are bound before the
 * module could wrap them, are recorded here with the context's arguments.
 *
 * Its dependencies are optional: a module whose controllers carry the decorators must
 * still start where `AnalyticsModule` is not imported (a controller's unit test, an app
 * that imports the module only in some environments); there it passes every call through.
 */
@Injectable()
export class AnalyticsCallInterceptor implements NestInterceptor {
  constructor(
    @Optional() @Inject(ANALYTICS_MODULE_OPTIONS) private readonly options: ResolvedAnalyticsOptions | undefined,
    private readonly reflector: Reflector,
    @Optional() private readonly audited: AuditedCallRecorder | undefined,
    @Optional() private readonly external: ExternalCallRecorder | undefined,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const handler = context.getHandler();
    const { options, audited, external } = this;
    if (!options?.enabled || !audited || !external || isWrapped(handler)) return next.handle();
    const auditedOptions = this.reflector.get<AuditedOptions | undefined>(AUDITED_METADATA, handler);
    const externalMeta = this.reflector.get<TrackExternalMetadata | undefined>(TRACK_EXTERNAL_METADATA, handler);
    const args = context.getArgs();
    const call = () => next.handle();
    const tracked = externalMeta ? () => external.run(externalMeta, args, call) : call;
    if (!auditedOptions) return tracked();
    const site = { className: context.getClass().name, methodName: handler.name };
    return audited.run(auditedOptions, site, args, tracked, undefined, true);
  }
}

import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
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
 * It finds the module's recorders when it first runs rather than in its constructor: a
 * module whose controllers carry the decorators must still start where `AnalyticsModule`
 * is not imported (a controller's unit test, an app that imports the module only in some
 * environments); there it passes every call through.
 */
@Injectable()
export class AnalyticsCallInterceptor implements NestInterceptor {
  private recorders?: Recorders | null;

  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const handler = context.getHandler();
    const recorders = this.findRecorders();
    if (!recorders?.options.enabled || isWrapped(handler)) return next.handle();
    const { audited, external } = recorders;
    const auditedOptions = this.reflector.get<AuditedOptions | undefined>(AUDITED_METADATA, handler);
    const externalMeta = this.reflector.get<TrackExternalMetadata | undefined>(TRACK_EXTERNAL_METADATA, handler);
    const args = context.getArgs();
    const call = () => next.handle();
    const tracked = externalMeta ? () => external.run(externalMeta, args, call) : call;
    if (!auditedOptions) return tracked();
    const site = { className: context.getClass().name, methodName: handler.name };
    return audited.run(auditedOptions, site, args, tracked, undefined, true);
  }

  /** The module's options and recorders, looked up once; null where the module is not imported. */
  private findRecorders(): Recorders | null {
    if (this.recorders === undefined) {
      try {
        this.recorders = {
          options: this.moduleRef.get<ResolvedAnalyticsOptions>(ANALYTICS_MODULE_OPTIONS, { strict: false }),
          audited: this.moduleRef.get(AuditedCallRecorder, { strict: false }),
          external: this.moduleRef.get(ExternalCallRecorder, { strict: false }),
        };
      } catch {
        this.recorders = null;
      }
    }
    return this.recorders;
  }
}

interface Recorders {
  options: ResolvedAnalyticsOptions;
  audited: AuditedCallRecorder;
  external: ExternalCallRecorder;
}

import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Observable, tap } from 'rxjs';
import { isWrapped } from './analytics.explorer';
import { AUDITED_METADATA, AuditedOptions, TRACK_EXTERNAL_METADATA, TrackExternalMetadata } from './analytics.metadata';
import { AuditedCallRecorder } from './audited-call.recorder';
import { ExternalCallRecorder } from './external-call.recorder';
import { errorMessageOf } from './observe-call';
import { enterAnalyticsContext, getAnalyticsContext } from './request-context';
import { REQUEST_STATE, RequestState } from './request-state';
import { RequestTracker } from './request-tracker';

/**
 * Registered globally by the module. For HTTP it completes the request's state once
 * guards have run (handler, route template, user) and remembers a thrown error's message.
 * It runs `@Audited()` / `@TrackExternal()` for handlers the explorer could not wrap
 * (microservice, WebSocket, GraphQL apps, where `args` are the context's arguments).
 * GraphQL, RPC and WebSocket calls are never logged as HTTP rows.
 */
@Injectable()
export class RequestTrackingInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly tracker: RequestTracker,
    private readonly audited: AuditedCallRecorder,
    private readonly external: ExternalCallRecorder,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const handler = context.getHandler();
    // Handlers wrapped by the explorer record themselves, with their real arguments.
    const wrapped = isWrapped(handler);
    const auditedOptions = wrapped ? undefined : this.reflector.get<AuditedOptions | undefined>(AUDITED_METADATA, handler);
    const externalMeta = wrapped ? undefined : this.reflector.get<TrackExternalMetadata | undefined>(TRACK_EXTERNAL_METADATA, handler);
    const state = context.getType() === 'http' ? this.completeState(context) : undefined;

    let call: () => Observable<unknown> = () => next.handle();
    if (externalMeta || auditedOptions) {
      const args = context.getArgs();
      const inner = call;
      const site = { className: context.getClass().name, methodName: handler.name };
      if (externalMeta) call = () => this.external.run(externalMeta, args, inner);
      if (auditedOptions) {
        const tracked = call;
        call = () => this.audited.runObservable(auditedOptions, site, args, tracked);
      }
    }
    const out = call();
    return state ? out.pipe(tap({ error: (err) => (state.errorMessage = errorMessageOf(err)) })) : out;
  }

  private completeState(context: ExecutionContext): RequestState | undefined {
    const request = context.switchToHttp().getRequest();
    const state: RequestState | undefined = request?.[REQUEST_STATE];
    if (!state) return undefined;
    try {
      state.handler = `${context.getClass().name}.${context.getHandler().name}`;
      state.route = request.routeOptions?.url ?? request.route?.path ?? state.route;
      state.userId ??= this.tracker.userIdOf(request);
      // Body parsing can run outside the context (Fastify); re-enter it for the handler.
      if (getAnalyticsContext() !== state) enterAnalyticsContext(state);
    } catch (err) {
      this.tracker.captureFailed(err);
    }
    return state;
  }
}

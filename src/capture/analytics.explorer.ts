import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { PATH_METADATA, SSE_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { isObservable, Observable } from 'rxjs';
import { ANALYTICS_MODULE_OPTIONS } from '../analytics.constants';
import type { ResolvedAnalyticsOptions } from '../options/analytics-options.schema';
import { RecordFactory } from '../records/record.factory';
import { AUDITED_METADATA, AuditedOptions, TRACK_EXTERNAL_METADATA, TrackExternalMetadata } from './analytics.metadata';
import { AuditedCallRecorder } from './audited-call.recorder';
import { ExternalCallRecorder } from './external-call.recorder';
import { observeCall } from './observe-call';
import { currentContext, requestStateOf } from './request-context';

const WRAPPED = Symbol.for('nestjs-analytics:wrapped');

/** True for a method this explorer already wrapped. */
export const isWrapped = (fn: unknown): boolean => typeof fn === 'function' && (fn as any)[WRAPPED] === true;

interface WrapPlan {
  className: string;
  methodName: string;
  audited?: AuditedOptions;
  external?: TrackExternalMetadata;
  /** An HTTP route handler: note its name on the request's state. */
  routeHandler: boolean;
  /** A server-sent events handler: its Observable's error never reaches Nest's exceptions handler. */
  sse: boolean;
  returnsObservable: boolean;
}

const noop = () => undefined;

/**
 * Wraps methods in place on their instance, keeping the original function's metadata and
 * name, so route, guard, pipe and Swagger metadata keep working:
 *
 * - every HTTP route handler, by `wrapControllers()`, which the module calls from
 *   `configure()` — before the router binds handlers. The wrapper names the handler on the
 *   request's state (its errors reach the request through Nest's `ExceptionsHandler`, see
 *   route-exceptions.hook.ts): the work an interceptor would do, without the cost of
 *   Nest's interceptor pipeline on every request. Handlers with
 *   `@Audited()`/`@TrackExternal()` are recorded with their own (piped) arguments;
 * - decorated methods of providers, at `onModuleInit`.
 *
 * Handlers bound before either could run (microservice listeners, request-scoped
 * controllers) are recorded by the handler-scoped interceptor the decorators attach.
 */
@Injectable()
export class AnalyticsExplorer implements OnModuleInit {
  private readonly logger = new Logger('AnalyticsExplorer');

  constructor(
    @Inject(ANALYTICS_MODULE_OPTIONS) private readonly options: ResolvedAnalyticsOptions,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly audited: AuditedCallRecorder,
    private readonly external: ExternalCallRecorder,
    private readonly factory: RecordFactory,
  ) {}

  onModuleInit(): void {
    if (!this.options.enabled) return;
    const providers = this.discovery.getProviders();
    this.warnIfImportedTwice(providers);
    for (const wrapper of providers) this.explore(wrapper, false);
  }

  /** `forRoot()` in two feature modules starts two pipelines; say so once, from the second. */
  private warnIfImportedTwice(providers: InstanceWrapper[]): void {
    const explorers = providers.filter((wrapper) => wrapper.metatype === AnalyticsExplorer);
    if (explorers.length < 2 || explorers[0].instance === this) return;
    this.logger.warn(
      `AnalyticsModule is imported ${explorers.length} times (forRoot/forRootAsync in more than one module): each import runs its own ` +
        'buffer, queue client, worker and DataSource, and stats() shows one of them. Import it once, in the root module: it is global.',
    );
  }

  /** Wraps route handlers of every controller; must run before the router registers them. */
  wrapControllers(): void {
    if (!this.options.enabled) return;
    for (const wrapper of this.discovery.getControllers()) this.explore(wrapper, true);
  }

  /**
   * Wraps the decorated methods of a provider, or also every route handler of a controller:
   * on the instance of a singleton; on the class's prototype when Nest makes an instance per
   * request (request-scoped or durable, or depending on such a provider), so that every
   * instance it makes has them.
   */
  private explore(wrapper: InstanceWrapper, isController: boolean): void {
    const { instance, metatype } = wrapper;
    if (!instance || typeof instance !== 'object' || !metatype || typeof metatype !== 'function') return;
    const prototype = Object.getPrototypeOf(instance);
    const target = wrapper.isDependencyTreeStatic() ? instance : prototype;
    // The class of the instance: a `useFactory` provider's metatype is the factory.
    const className: string = (typeof prototype?.constructor === 'function' && prototype.constructor.name) || metatype.name;
    for (const methodName of this.scanner.getAllMethodNames(prototype)) {
      const original = prototype[methodName];
      if (typeof original !== 'function' || isWrapped(target[methodName])) continue;
      const audited: AuditedOptions | undefined = Reflect.getMetadata(AUDITED_METADATA, original);
      const external: TrackExternalMetadata | undefined = Reflect.getMetadata(TRACK_EXTERNAL_METADATA, original);
      const routeHandler = isController && Reflect.getMetadata(PATH_METADATA, original) !== undefined;
      if (!audited && !external && !routeHandler) continue;
      const returnsObservable = Reflect.getMetadata('design:returntype', prototype, methodName) === Observable;
      const sse = routeHandler && Reflect.getMetadata(SSE_METADATA, original) === true;
      const wrapped = this.wrap(original, { className, methodName, audited, external, routeHandler, sse, returnsObservable });
      try {
        target[methodName] = wrapped;
      } catch (err) {
        // A frozen instance or prototype: the app must start all the same.
        this.logger.warn(`${className}.${methodName} cannot be wrapped (${(err as Error).message}); its calls are NOT recorded.`);
      }
    }
  }

  private wrap(original: (...args: unknown[]) => unknown, plan: WrapPlan): (...args: unknown[]) => unknown {
    const { audited, external } = this;
    const { sanitizer } = this.factory;
    const handlerName = `${plan.className}.${plan.methodName}`;
    const recorded = plan.audited || plan.external;
    const wrapped = function (this: unknown, ...args: unknown[]) {
      const state = plan.routeHandler ? requestStateOf(currentContext()) : undefined;
      if (state !== undefined) state.handler = handlerName;
      let result: unknown;
      if (recorded) {
        const call = () => original.apply(this, args);
        const tracked = plan.external ? () => external.run(plan.external!, args, call) : call;
        result = plan.audited ? audited.run(plan.audited, plan, args, tracked, this, plan.returnsObservable) : tracked();
      } else {
        result = original.apply(this, args);
      }
      // A handler's error, thrown, rejected or emitted, reaches Nest's ExceptionsHandler after
      // the interceptors, where the request notes it (route-exceptions.hook.ts): nothing is
      // caught here. Only a server-sent events stream's does not: the client gets it as an
      // error event after a 200, so it is watched and kept as the row's message.
      if (!plan.sse || state === undefined || !isObservable(result)) return result;
      return observeCall(() => result, noop, (err) => (state.errorMessage ??= sanitizer.errorMessage(err)));
    };
    for (const key of Reflect.getMetadataKeys(original)) {
      Reflect.defineMetadata(key, Reflect.getMetadata(key, original), wrapped);
    }
    Object.defineProperty(wrapped, 'name', { value: original.name });
    Object.defineProperty(wrapped, WRAPPED, { value: true });
    return wrapped;
  }
}

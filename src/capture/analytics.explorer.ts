import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { Observable } from 'rxjs';
import { ANALYTICS_MODULE_OPTIONS } from '../analytics.constants';
import type { ResolvedAnalyticsOptions } from '../options/analytics-options.schema';
import { AUDITED_METADATA, AuditedOptions, TRACK_EXTERNAL_METADATA, TrackExternalMetadata } from './analytics.metadata';
import { AuditedCallRecorder } from './audited-call.recorder';
import { ExternalCallRecorder } from './external-call.recorder';

const WRAPPED = Symbol.for('nestjs-analytics:wrapped');

/** True for a method this explorer already wrapped (the interceptor then leaves it alone). */
export const isWrapped = (fn: unknown): boolean => typeof fn === 'function' && (fn as any)[WRAPPED] === true;

/**
 * Finds methods decorated with `@Audited()` or `@TrackExternal()` and wraps them in place
 * on the instance, keeping the original function's metadata and name, so route, guard,
 * pipe and Swagger metadata keep working.
 *
 * - Controllers are wrapped by `wrapControllers()`, which the module calls from
 *   `configure()`: before the router binds the handlers, so the wrapper receives the
 *   handler's own arguments (after pipes). Apps without HTTP middleware (microservices)
 *   fall back to the interceptor.
 * - Providers are wrapped at `onModuleInit`.
 */
@Injectable()
export class AnalyticsExplorer implements OnModuleInit {
  private readonly logger = new Logger('AnalyticsExplorer');

  private controllersWrapped = false;

  constructor(
    @Inject(ANALYTICS_MODULE_OPTIONS) private readonly options: ResolvedAnalyticsOptions,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly audited: AuditedCallRecorder,
    private readonly external: ExternalCallRecorder,
  ) {}

  onModuleInit(): void {
    if (!this.options.enabled) return;
    for (const wrapper of this.discovery.getProviders()) this.explore(wrapper, false);
  }

  /** Wraps decorated controller handlers; must run before the router registers them. */
  wrapControllers(): void {
    if (!this.options.enabled || this.controllersWrapped) return;
    this.controllersWrapped = true;
    for (const wrapper of this.discovery.getControllers()) this.explore(wrapper, true);
  }

  private explore(wrapper: InstanceWrapper, isController: boolean): void {
    const { instance, metatype } = wrapper;
    if (!instance || typeof instance !== 'object' || !metatype || typeof metatype !== 'function') return;
    const prototype = Object.getPrototypeOf(instance);
    for (const methodName of this.scanner.getAllMethodNames(prototype)) {
      const original = prototype[methodName];
      if (typeof original !== 'function') continue;
      const auditedOptions: AuditedOptions | undefined = Reflect.getMetadata(AUDITED_METADATA, original);
      const external: TrackExternalMetadata | undefined = Reflect.getMetadata(TRACK_EXTERNAL_METADATA, original);
      if (!auditedOptions && !external) continue;
      if (!wrapper.isDependencyTreeStatic()) {
        // A request-scoped controller's handlers are audited by the interceptor instead.
        if (isController) continue;
        this.logger.warn(
          `${metatype.name}.${methodName} has @Audited/@TrackExternal but ${metatype.name} is request-scoped (or depends on a request-scoped provider); ` +
            'its calls are NOT recorded. Make it a singleton or call AuditService yourself.',
        );
        continue;
      }
      if (isWrapped(instance[methodName])) continue;
      const returnsObservable = Reflect.getMetadata('design:returntype', prototype, methodName) === Observable;
      instance[methodName] = this.wrap(original, metatype.name, methodName, auditedOptions, external, returnsObservable);
    }
  }

  private wrap(
    original: (...args: unknown[]) => unknown,
    className: string,
    methodName: string,
    auditedOptions: AuditedOptions | undefined,
    external: TrackExternalMetadata | undefined,
    returnsObservable: boolean,
  ): (...args: unknown[]) => unknown {
    const { audited, external: externalRecorder } = this;
    const site = { className, methodName };
    const wrapped = function (this: unknown, ...args: unknown[]) {
      const call = () => original.apply(this, args);
      const tracked = external ? () => externalRecorder.run(external, args, call) : call;
      return auditedOptions ? audited.run(auditedOptions, site, args, tracked, this, returnsObservable) : tracked();
    };
    for (const key of Reflect.getMetadataKeys(original)) {
      Reflect.defineMetadata(key, Reflect.getMetadata(key, original), wrapped);
    }
    Object.defineProperty(wrapped, 'name', { value: original.name });
    Object.defineProperty(wrapped, WRAPPED, { value: true });
    return wrapped;
  }
}

/**
 * One OS process of test/scale.e2e-spec.ts, started by the spec with `child_process.fork`
 * under `ts-node/register/transpile-only` (no build needed):
 *
 *   scale-process.ts api    '<AnalyticsModuleOptions as JSON>'   HTTP app on a free port
 *   scale-process.ts worker '<AnalyticsModuleOptions as JSON>'   application context, no HTTP
 *
 * It talks to the spec over IPC (see scale-protocol.ts): `ready` once started (with the port for
 * an API), `stats` when asked, and `shutdown` with its final stats after the analytics
 * drain on SIGTERM, which goes through Nest's `enableShutdownHooks()` as the README says.
 */
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, OnApplicationShutdown, Param } from '@nestjs/common';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { AnalyticsModule, AnalyticsModuleOptions, AuditService } from '../../src';
import { DEDUP_KEYS, ScaleCommand, ScaleMessage, ScaleRole } from './scale-protocol';

function send(message: ScaleMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

/** Reports the final counters once the analytics module has drained (it does so in beforeApplicationShutdown). */
@Injectable()
class ShutdownReporter implements OnApplicationShutdown {
  constructor(private readonly audit: AuditService) {}

  onApplicationShutdown(): Promise<void> {
    return send({ type: 'shutdown', stats: this.audit.stats() });
  }
}

@Controller('items')
class ItemsController {
  constructor(private readonly audit: AuditService) {}

  /** One access log, one audit entry and one log-once event per request. */
  @Get(':id')
  read(@Param('id') id: string) {
    this.audit.log({ action: 'scale.item.read', resourceType: 'item', resourceId: id });
    this.audit.trackEvent('scale.item.exposed', { id }, { dedupKey: `scale:${Number(id) % DEDUP_KEYS}` });
    return { id, pid: process.pid };
  }
}

async function boot(role: ScaleRole, options: AnalyticsModuleOptions): Promise<INestApplicationContext> {
  const analytics = AnalyticsModule.forRoot({ ...options, worker: { ...options.worker, enabled: role === 'worker' } });
  const logger = ['error', 'warn'] as const;
  if (role === 'worker') {
    @Module({ imports: [analytics], providers: [ShutdownReporter] })
    class ScaleWorkerModule {}
    const app = await NestFactory.createApplicationContext(ScaleWorkerModule, { logger: [...logger] });
    app.enableShutdownHooks(['SIGTERM'], { useProcessExit: true });
    await send({ type: 'ready', role, pid: process.pid });
    return app;
  }
  @Module({ imports: [analytics], controllers: [ItemsController], providers: [ShutdownReporter] })
  class ScaleApiModule {}
  const app = await NestFactory.create(ScaleApiModule, { logger: [...logger] });
  app.enableShutdownHooks(['SIGTERM'], { useProcessExit: true });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  await send({ type: 'ready', role, pid: process.pid, port });
  return app;
}

async function main(): Promise<void> {
  const [role, json] = process.argv.slice(2);
  if (role !== 'api' && role !== 'worker') throw new Error(`Unknown role ${role}; expected api or worker`);
  const booted: { app?: INestApplicationContext } = {};
  // The spec died without stopping us: leave (gracefully once booted) rather than linger as an orphan.
  process.on('disconnect', () => (booted.app ? process.kill(process.pid, 'SIGTERM') : process.exit(1)));
  const app = await boot(role, JSON.parse(json) as AnalyticsModuleOptions);
  booted.app = app;
  process.on('message', (command: ScaleCommand) => {
    if (command?.type === 'stats') void send({ type: 'stats', stats: app.get(AuditService).stats() });
  });
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});

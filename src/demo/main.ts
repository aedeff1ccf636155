import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { DEFAULT_DATABASE_URL, DEFAULT_PORT, DEFAULT_REDIS_URL, DEMO_SCHEMA } from './demo.constants';
import { DependencyTarget, isReachable, targetFromUrl } from './startup/dependency-probe';
import {
  invalidUrlMessage,
  portInUseMessage,
  startupFailedMessage,
  unreachableMessage,
  welcomeMessage,
} from './startup/startup.messages';

const DEPENDENCIES = [
  { name: 'PostgreSQL', envVar: 'ANALYTICS_DATABASE_URL', fallback: DEFAULT_DATABASE_URL, port: 5432 },
  { name: 'Redis', envVar: 'ANALYTICS_REDIS_URL', fallback: DEFAULT_REDIS_URL, port: 6379 },
] as const;

/** Warns about PostgreSQL or Redis being down; the app starts either way. */
async function probeDependencies(): Promise<void> {
  const targets: DependencyTarget[] = [];
  for (const dep of DEPENDENCIES) {
    const fromEnv = process.env[dep.envVar];
    const target = targetFromUrl(dep.name, fromEnv || dep.fallback, dep.port, fromEnv ? dep.envVar : undefined);
    if (target) targets.push(target);
    else console.log(invalidUrlMessage(dep.name, dep.envVar));
  }
  const reachable = await Promise.all(targets.map((t) => isReachable(t)));
  targets.filter((_, i) => !reachable[i]).forEach((t) => console.log(unreachableMessage(t)));
}

async function bootstrap(): Promise<void> {
  await probeDependencies();
  const port = Number(process.env.PORT) || DEFAULT_PORT;
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  try {
    await app.listen(port);
  } catch (err) {
    await app.close();
    throw (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? new Error(portInUseMessage(port)) : err;
  }
  console.log(welcomeMessage(`http://localhost:${port}`, DEMO_SCHEMA));
}

bootstrap().catch((err: Error) => {
  console.error(startupFailedMessage(err.message));
  process.exit(1);
});

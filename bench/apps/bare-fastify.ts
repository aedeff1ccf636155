import { Module } from '@nestjs/common';
import { BenchController, main, startHttpApp } from './bench-app';

/** Bare NestJS on Fastify. */
@Module({ controllers: [BenchController] })
class BareFastifyModule {}

main(() => startHttpApp(BareFastifyModule, { fastify: true }));

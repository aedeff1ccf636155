import { Module } from '@nestjs/common';
import { BenchController, main, startHttpApp } from './bench-app';

/** Bare NestJS on Express: the baseline every ratio is taken against. */
@Module({ controllers: [BenchController] })
class BareModule {}

main(() => startHttpApp(BareModule));

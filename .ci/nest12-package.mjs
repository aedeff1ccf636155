#!/usr/bin/env node
// Usage: node .ci/nest12-package.mjs <copy of package.json>
//
// CI runs the test suite a second way, against NestJS 12 (ES modules only), in a copy of this
// repository. This rewrites the copy's package.json and the package-lock.json beside it: the
// NestJS dev dependencies become the 12 line, pinned; nestjs-pino goes (only a benchmark app
// uses it, and its peer range stops at NestJS 11). Everything else keeps its locked version.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';

const NEST_12 = {
  '@nestjs/bull': '12.0.0',
  '@nestjs/common': '12.5.1',
  '@nestjs/core': '12.5.1',
  '@nestjs/microservices': '12.1.1',
  '@nestjs/platform-express': '12.5.1',
  '@nestjs/platform-fastify': '12.5.0',
  '@nestjs/testing': '12.1.1',
  '@nestjs/typeorm': '12.0.2',
};
const DROPPED = ['nestjs-pino'];

const file = process.argv[2];
if (!file) throw new Error('usage: node .ci/nest12-package.mjs <package.json>');
const manifest = JSON.parse(readFileSync(file, 'utf8'));
const dev = manifest.devDependencies;
for (const [name, version] of Object.entries(NEST_12)) {
  if (!(name in dev)) throw new Error(`${name} is not a dev dependency any more; update .ci/nest12-package.mjs`);
  dev[name] = version;
}
for (const name of DROPPED) delete dev[name];
writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);

// The lockfile beside it forgets the replaced packages, so that npm resolves them afresh
// instead of first weighing the NestJS 11 tree against the new peers.
const lockFile = join(dirname(file), 'package-lock.json');
const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
lock.packages[''].devDependencies = dev;
for (const name of [...Object.keys(NEST_12), ...DROPPED]) delete lock.packages[`node_modules/${name}`];
writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);

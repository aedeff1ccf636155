#!/usr/bin/env node
// Usage: node .ci/package-variant.mjs <copy of package.json> <variant>
//
// CI runs the test suite again against newer majors of the packages an app shares with the
// module (NestJS, TypeORM), in a copy of this repository. This rewrites the copy's
// package.json and the package-lock.json beside it for one variant:
//
// - `typeorm1`: TypeORM 1, what npm installs today beside @nestjs/typeorm, on NestJS 11;
// - `nest12`: NestJS 12 (ES modules only) with TypeORM 1, the newest of everything;
//   nestjs-pino goes (only a benchmark app uses it, and its peer range stops at NestJS 11).
//
// The listed packages are pinned (in dependencies or devDependencies, wherever they are);
// everything else keeps its locked version.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';

const TYPEORM_1 = { typeorm: '1.1.1' };
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
const VARIANTS = {
  typeorm1: { pinned: TYPEORM_1, dropped: [] },
  nest12: { pinned: { ...NEST_12, ...TYPEORM_1 }, dropped: ['nestjs-pino'] },
};

const [file, name] = process.argv.slice(2);
const variant = VARIANTS[name];
if (!file || !variant) throw new Error(`usage: node .ci/package-variant.mjs <package.json> <${Object.keys(VARIANTS).join('|')}>`);
const manifest = JSON.parse(readFileSync(file, 'utf8'));
const { dependencies: deps, devDependencies: dev } = manifest;
for (const [pkg, version] of Object.entries(variant.pinned)) {
  const holder = pkg in deps ? deps : pkg in dev ? dev : null;
  if (!holder) throw new Error(`${pkg} is not a dependency any more; update .ci/package-variant.mjs`);
  holder[pkg] = version;
}
for (const pkg of variant.dropped) delete dev[pkg];
writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);

// The lockfile beside it forgets the replaced packages (and what is nested under them), so
// that npm resolves them afresh instead of first weighing the locked tree against the new peers.
const lockFile = join(dirname(file), 'package-lock.json');
const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
lock.packages[''].dependencies = deps;
lock.packages[''].devDependencies = dev;
for (const pkg of [...Object.keys(variant.pinned), ...variant.dropped]) {
  const path = `node_modules/${pkg}`;
  for (const key of Object.keys(lock.packages)) if (key === path || key.startsWith(`${path}/node_modules/`)) delete lock.packages[key];
}
writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as ts from 'typescript';
import { useSpecResources } from './support/test-database';
import { DATABASE_URL, REDIS_URL, uniqueNames } from './support/test-names';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');
const FIXTURE = join(__dirname, 'fixtures', 'package-consumer.app.ts');

interface Flavor {
  /** `type` of the scratch project's package.json. */
  type: 'commonjs' | 'module';
  /** What the user installs beside the tarball. */
  packages: string[];
  /** The major of @nestjs/typeorm and @nestjs/bull the install must end with. */
  nestMajor: number;
  /** The major of TypeORM the install must end with: one copy, the app's. */
  typeormMajor: number;
  platform: 'express' | 'fastify';
}

/**
 * Runs `file` in `cwd` without the npm_* variables of the `npm test` running this spec;
 * resolves with both streams, and rejects with both when it fails.
 */
async function exec(file: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  const inherited = Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_'));
  try {
    const { stdout, stderr } = await run(file, args, {
      cwd,
      env: { ...Object.fromEntries(inherited), ...env },
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return `${stdout}\n${stderr}`;
  } catch (err) {
    const { stdout, stderr, message } = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed in ${cwd}: ${message}\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

const npm = (cwd: string, args: string[]) => exec('npm', [...args, '--no-audit', '--no-fund'], cwd);

/** The fixture app, importing the installed package, compiled to the project's module format. */
function compileApp(type: Flavor['type']): string {
  const source = readFileSync(FIXTURE, 'utf8').replace(/from '\.\.\/\.\.\/src'/, "from 'nestjs-analytics'");
  return ts.transpileModule(source, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: type === 'module' ? ts.ModuleKind.ES2022 : ts.ModuleKind.CommonJS,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
    },
  }).outputText;
}

const majorOf = (dir: string, name: string): number =>
  Number(JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version.split('.')[0]);

/**
 * The package as users get it: `npm pack` (which builds), installed from the tarball into a
 * scratch project of a user on NestJS 11 and TypeORM 0.3 (CommonJS, Express) and into two on
 * NestJS 12 (ES modules, as the Nest packages themselves are; Express and Fastify), where
 * npm picks TypeORM 1. The install must resolve without a peer-dependency conflict, with
 * one copy each of TypeORM, @nestjs/typeorm and @nestjs/bull, the `nestjs-analytics migrate` bin must
 * create the schema, and the app must record its requests and an `@Audited()` call in
 * PostgreSQL, through Redis, with the request's context reaching the audit row.
 */
describe('The packed package in a new NestJS app', () => {
  let scratch: string;
  let tarball: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'nestjs-analytics-package-'));
    await npm(ROOT, ['pack', '--pack-destination', scratch]);
    const [file] = readdirSync(scratch).filter((name) => name.endsWith('.tgz'));
    tarball = join(scratch, file);
  }, 240_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  describe.each<[string, Flavor]>([
    [
      // An app that already uses TypeORM 0.3.
      'NestJS 11 on Express, CommonJS, TypeORM 0.3',
      {
        type: 'commonjs',
        nestMajor: 11,
        typeormMajor: 0,
        platform: 'express',
        packages: ['@nestjs/common@^11', '@nestjs/core@^11', '@nestjs/platform-express@^11', '@nestjs/typeorm@^11', '@nestjs/bull@^11', 'typeorm@^0.3'],
      },
    ],
    [
      // @nestjs/typeorm, @nestjs/bull and typeorm are left for npm to pick, as a new user's install does.
      'NestJS 12 on Express, ES modules',
      { type: 'module', nestMajor: 12, typeormMajor: 1, platform: 'express', packages: ['@nestjs/common@^12', '@nestjs/core@^12', '@nestjs/platform-express@^12'] },
    ],
    [
      'NestJS 12 on Fastify, ES modules',
      { type: 'module', nestMajor: 12, typeormMajor: 1, platform: 'fastify', packages: ['@nestjs/common@^12', '@nestjs/core@^12', '@nestjs/platform-fastify@^12'] },
    ],
  ])('%s', (_label, flavor) => {
    const names = uniqueNames(`pkg${flavor.nestMajor}${flavor.platform.slice(0, 1)}`);
    const db = useSpecResources(names);

    it('installs without peer conflicts, migrates with its CLI and writes the requests and the audited call', async () => {
      const project = `consumer-${flavor.nestMajor}-${flavor.platform}`;
      const dir = join(scratch, project);
      mkdirSync(dir);
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: project, private: true, type: flavor.type }));
      const output = await npm(dir, ['install', '--prefer-offline', tarball, ...flavor.packages, 'reflect-metadata@^0.2', 'rxjs@^7']);

      expect(output).not.toMatch(/ERESOLVE|peer dep/i);
      await npm(dir, ['ls', '--all']); // exits non-zero on an invalid or missing peer
      expect(majorOf(dir, '@nestjs/core')).toBe(flavor.nestMajor);
      expect(majorOf(dir, '@nestjs/typeorm')).toBe(flavor.nestMajor);
      expect(majorOf(dir, '@nestjs/bull')).toBe(flavor.nestMajor);
      expect(majorOf(dir, 'typeorm')).toBe(flavor.typeormMajor);
      // Their wide ranges let npm reuse the app's copies: the module's entities, the DataSource
      // @nestjs/typeorm makes for it and the app's own TypeORM code share one TypeORM.
      for (const name of ['@nestjs/typeorm', '@nestjs/bull', 'typeorm']) {
        expect(existsSync(join(dir, 'node_modules', 'nestjs-analytics', 'node_modules', name))).toBe(false);
      }

      // The CLI as a deploy step runs it, from the installed package's bin.
      const bin = join(dir, 'node_modules', '.bin', 'nestjs-analytics');
      const migrated = await exec(bin, ['migrate', '--url', DATABASE_URL, '--schema', names.schema], dir);
      expect(migrated).toContain(`Applied 1 migration(s) to schema "${names.schema}"`);

      writeFileSync(join(dir, 'main.js'), compileApp(flavor.type));
      const env = { DATABASE_URL, REDIS_URL, ANALYTICS_SCHEMA: names.schema, ANALYTICS_QUEUE: names.queueName, PLATFORM: flavor.platform };
      const printed = await exec(process.execPath, ['main.js'], dir, env);
      const result = JSON.parse(printed.split('\n').find((line) => line.startsWith('{"platform"'))!);

      expect(result.platform).toBe(flavor.platform);
      expect(result.statuses).toEqual([200, 200]);
      expect(result.stats).toMatchObject({ accepted: 3, persisted: 3, failed: 0, dropped: 0, captureErrors: 0 });
      const [hello] = await db.rows('api_access_logs', 'endpoint = $1', ['/hello']);
      const [report] = await db.rows('api_access_logs', 'endpoint = $1', ['/reports/r-42']);
      const [audit] = await db.rows('audit_logs', 'action = $1', ['report.generated']);
      expect(hello).toMatchObject({ method: 'GET', status_code: 200, request_id: result.requestId });
      expect(report).toMatchObject({ route: '/reports/:id', handler: 'ReportController.report', status_code: 200 });
      expect(audit).toMatchObject({ resource_type: 'report', resource_id: 'r-42', request_id: report.request_id });
    }, 240_000);
  });
});

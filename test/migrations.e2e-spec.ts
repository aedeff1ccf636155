import { INestApplication, Logger } from '@nestjs/common';
import { Client } from 'pg';
import { PassThrough } from 'node:stream';
import type { AnalyticsModuleOptions, AuditService } from '../src';
import { MIGRATION_LOCK_KEY } from '../src/analytics.constants';
import { runMigrate } from '../src/cli/migrate.command';
import { bootAnalytics, testOptions } from './support/test-app';
import { useSpecResources } from './support/test-database';
import { DATABASE_URL, uniqueNames } from './support/test-names';

/** The test database's URL, connecting as another role (trust authentication). */
function urlAs(role: string): string {
  const url = new URL(DATABASE_URL);
  url.username = role;
  url.password = '';
  return url.toString();
}

const migrate = (url: string, schema: string) => runMigrate({ url, schema }, new PassThrough(), {});

/** Spies on every Logger's warnings and errors; `lines()` lists them. */
function spyLogs() {
  const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  return {
    lines: () => [...warn.mock.calls, ...error.mock.calls].map((call) => String(call[0])),
    errors: () => error.mock.calls.map((call) => String(call[0])),
    restore: () => {
      warn.mockRestore();
      error.mockRestore();
    },
  };
}

type Logs = ReturnType<typeof spyLogs>;

/** Boots the module with these options while spying on its warnings and errors; closes it after `check`. */
async function withApp(options: AnalyticsModuleOptions, check: (audit: AuditService, logs: Logs) => Promise<void>): Promise<void> {
  const logs = spyLogs();
  let app: INestApplication | undefined;
  try {
    const booted = await bootAnalytics(options);
    app = booted.app;
    await check(booted.audit, logs);
  } finally {
    logs.restore();
    await app?.close();
  }
}

async function persist(audit: AuditService): Promise<void> {
  await audit.flush({ waitForPersistence: true, timeoutMs: 30_000 });
}

describe('Migrations and database privileges', () => {
  describe('least-privilege roles', () => {
    const names = uniqueNames('privileges');
    const owner = `${names.schema}_owner`;
    const writer = `${names.schema}_writer`;
    // Roles belong to the cluster: made and dropped on a connection of their own.
    const admin = new Client({ connectionString: DATABASE_URL });
    beforeAll(async () => {
      await admin.connect();
      await admin.query(`CREATE ROLE "${owner}" LOGIN`);
      await admin.query(`CREATE ROLE "${writer}" LOGIN`);
      await admin.query(`CREATE SCHEMA "${names.schema}" AUTHORIZATION "${owner}"`);
    });
    afterAll(async () => {
      await admin.query(`DROP SCHEMA IF EXISTS "${names.schema}" CASCADE`);
      for (const role of [writer, owner]) {
        await admin.query(`DROP OWNED BY "${role}"`).catch(() => undefined);
        await admin.query(`DROP ROLE IF EXISTS "${role}"`);
      }
      await admin.end();
    });
    const db = useSpecResources(names);

    it('the schema\'s owner migrates with the CLI without the CREATE privilege on the database', async () => {
      const applied = await migrate(urlAs(owner), names.schema);
      expect(applied.length).toBeGreaterThan(0);
      expect(await migrate(urlAs(owner), names.schema)).toEqual([]);
      const { rows } = await db.query(`SELECT tableowner FROM pg_tables WHERE schemaname = $1 AND tablename = 'audit_logs'`, [names.schema]);
      expect(rows).toEqual([{ tableowner: owner }]);
    });

    it('a role with only USAGE, SELECT and INSERT writes every kind of record with the default runMigrations: true', async () => {
      await db.query(`GRANT USAGE ON SCHEMA "${names.schema}" TO "${writer}"`);
      await db.query(`GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA "${names.schema}" TO "${writer}"`);
      await withApp(testOptions(names, { database: { url: urlAs(writer) } }), async (audit, logs) => {
        const id = audit.logSystemEvent('privileges.checked', 'as the writer');
        audit.trackEvent('privileges.first', {}, { dedupKey: `first-${names.schema}` });
        audit.trackEvent('privileges.first', {}, { dedupKey: `first-${names.schema}` });
        await persist(audit);
        expect(await db.rows('audit_logs', 'id = $1', [id])).toHaveLength(1);
        expect(await db.count('event_logs')).toBe(1);
        expect(logs.lines().filter((line) => /database|schema|Batch/.test(line))).toEqual([]);
      });
    });

    it('a role that may not create a missing schema is told how to migrate it', async () => {
      const elsewhere = { ...names, schema: `${names.schema}_new` };
      await withApp(testOptions(elsewhere, { database: { url: urlAs(writer) }, worker: { enabled: false } }), async (_audit, logs) => {
        expect(logs.lines()).toEqual([
          expect.stringMatching(/could not be prepared \(permission denied for database .*\).*This role may not create .*nestjs-analytics migrate/),
        ]);
      });
    });
  });

  describe('start-up', () => {
    const names = uniqueNames('startup_lock');
    const db = useSpecResources(names);

    it('does not wait without limit for another instance\'s migration lock, and writes once it is free', async () => {
      const holder = new Client({ connectionString: DATABASE_URL });
      await holder.connect();
      await holder.query('SELECT pg_advisory_lock($1, hashtext($2))', [MIGRATION_LOCK_KEY % 2 ** 31, names.schema]);
      try {
        await withApp(testOptions(names, { worker: { thread: false } }), async (audit, logs) => {
          expect(logs.lines()).toContainEqual(expect.stringContaining(`has held the migration lock of schema "${names.schema}"`));
          expect(logs.lines()).not.toContainEqual(expect.stringContaining('not reachable'));
          const id = audit.logSystemEvent('lock.released', 'written after the lock');
          await holder.query('SELECT pg_advisory_unlock_all()');
          await persist(audit);
          expect(await db.rows('audit_logs', 'id = $1', [id])).toHaveLength(1);
        });
      } finally {
        await holder.end();
      }
    }, 60_000);
  });

  describe('a migration that fails', () => {
    const names = uniqueNames('collide');
    const db = useSpecResources(names);

    it('is reported once, as a schema that could not be prepared, not as an unreachable database', async () => {
      // An app's own audit_logs table where the module's would go.
      await db.query(`CREATE SCHEMA "${names.schema}"`);
      await db.query(`CREATE TABLE "${names.schema}".audit_logs (id serial PRIMARY KEY, what text)`);
      const printed = (['log', 'info', 'warn', 'error'] as const).map((level) => jest.spyOn(console, level).mockImplementation(() => undefined));
      try {
        await withApp(testOptions(names, { worker: { thread: false } }), async (_audit, logs) => {
          expect(logs.lines()).toEqual([
            expect.stringMatching(new RegExp(`schema "${names.schema}" could not be prepared \\(relation "audit_logs" already exists\\); records are kept in the queue and the worker tries again on its next batch\\.$`)),
          ]);
          expect(printed.flatMap((spy) => spy.mock.calls).map(String)).toEqual([]);
        });
      } finally {
        printed.forEach((spy) => spy.mockRestore());
      }
    });
  });

  describe('a schema the writer cannot use', () => {
    const names = uniqueNames('schema_check');
    const db = useSpecResources(names);

    it('names the missing tables of a schema never migrated (runMigrations: false) and how to migrate it', async () => {
      await db.query(`CREATE SCHEMA "${names.schema}"`);
      await withApp(testOptions(names, { runMigrations: false, worker: { thread: false } }), async (_audit, logs) => {
        expect(logs.errors()).toEqual([
          expect.stringMatching(new RegExp(`schema "${names.schema}" lacks .*table api_access_logs, .*table audit_logs, .*table event_dedup_keys\\. .*nestjs-analytics migrate`)),
        ]);
      });
    });

    it('names a column dropped by hand after the migrations ran, and a dropped table', async () => {
      await migrate(DATABASE_URL, names.schema);
      await db.query(`ALTER TABLE "${names.schema}".audit_logs DROP COLUMN stack_trace`);
      await db.query(`DROP TABLE "${names.schema}".event_dedup_keys`);
      await withApp(testOptions(names, { worker: { thread: false } }), async (_audit, logs) => {
        expect(logs.errors()).toEqual([expect.stringMatching(/lacks what the writer needs: audit_logs\.stack_trace, table event_dedup_keys\. .*restore it/)]);
      });
    });
  });
});

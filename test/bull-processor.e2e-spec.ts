import { BullModule, InjectQueue, Process, Processor } from '@nestjs/bull';
import { INestApplication, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Job, Queue } from 'bull';
import { AnalyticsModule, Audited, runWithAnalyticsContext, TrackExternal } from '../src';
import { testOptions } from './support/test-app';
import { TestDatabase } from './support/test-database';
import { REDIS_URL, uniqueNames } from './support/test-names';
import { obliterateAndClose, openQueue } from './support/test-queue';

const names = uniqueNames('bullproc');
const EMAILS = `${names.queueName}-emails`;

@Injectable()
class Mailer {
  @TrackExternal('mail-api', { endpoint: '/send', method: 'POST' })
  async deliver(to: string) {
    return { status: 202, to };
  }
}

/** A processor of the app's own Bull queue, with the decorators on its @Process method. */
@Processor(EMAILS)
class EmailProcessor {
  constructor(private readonly mailer: Mailer) {}

  @Process('welcome')
  @Audited({ action: 'email.welcome', resourceType: 'email', resourceId: ({ args }) => (args[0] as Job<{ to: string }>).data.to })
  async welcome(job: Job<{ to: string; userId: string }>) {
    return runWithAnalyticsContext({ userId: job.data.userId, sourceSystem: 'worker' }, () => this.mailer.deliver(job.data.to));
  }
}

@Injectable()
class Signup {
  constructor(@InjectQueue(EMAILS) private readonly emails: Queue) {}

  queueWelcome(to: string, userId: string) {
    return this.emails.add('welcome', { to, userId }, { removeOnComplete: true });
  }
}

@Module({
  imports: [
    AnalyticsModule.forRoot(testOptions(names)),
    BullModule.forRoot({ redis: REDIS_URL }),
    BullModule.registerQueue({ name: EMAILS }),
  ],
  providers: [Mailer, EmailProcessor, Signup],
})
class AppWithItsOwnQueue {}

describe('@Audited and @TrackExternal on a Bull @Process method of the app', () => {
  let app: INestApplication;
  let db: TestDatabase;

  beforeAll(async () => {
    db = await new TestDatabase(names.schema).connect();
    const moduleRef = await Test.createTestingModule({ imports: [AppWithItsOwnQueue] }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    await db.dropAndClose();
    await obliterateAndClose(openQueue(names.queueName));
    await obliterateAndClose(openQueue(EMAILS));
  });

  it('records the job handler, as Bull runs it, and the outside call made inside it', async () => {
    await app.get(Signup).queueWelcome('ada@example.com', 'user-7');

    await db.waitForRows('audit_logs', 1);
    await db.waitForRows('external_api_call_logs', 1);
    const [audit] = await db.rows('audit_logs');
    expect(audit).toMatchObject({ action: 'email.welcome', status: 'success', resource_type: 'email', resource_id: 'ada@example.com' });
    const [call] = await db.rows('external_api_call_logs');
    expect(call).toMatchObject({ service: 'mail-api', endpoint: '/send', status_code: 202, user_id: 'user-7' });
  });
});

import { ThreadLogger } from './thread-logger';
import type { ThreadMessage } from './worker-thread.protocol';

describe('ThreadLogger', () => {
  const posted: ThreadMessage[] = [];
  const logger = new ThreadLogger((m) => posted.push(m));
  beforeEach(() => (posted.length = 0));

  it('posts each line with its level, message and Nest parameters (stack, context)', () => {
    logger.warn('Analytics Redis connection error: ECONNREFUSED', 'AnalyticsWorker');
    logger.error('Batch 7 exhausted its attempts', undefined, 'AnalyticsWorker');

    expect(posted).toEqual([
      { kind: 'log', level: 'warn', message: 'Analytics Redis connection error: ECONNREFUSED', params: ['AnalyticsWorker'] },
      // A missing stack stays missing, rather than printing "undefined".
      { kind: 'log', level: 'error', message: 'Batch 7 exhausted its attempts', params: [undefined, 'AnalyticsWorker'] },
    ]);
  });

  it("drops Nest's start-up lines, which the process printed already, but never its errors", () => {
    logger.log('Starting Nest application...', 'NestFactory');
    logger.log('AnalyticsModule dependencies initialized', 'InstanceLoader');
    logger.error('Nest could not find X', 'stack', 'NestFactory');

    expect(posted).toEqual([{ kind: 'log', level: 'error', message: 'Nest could not find X', params: ['stack', 'NestFactory'] }]);
  });

  it('turns errors and objects into text, so every line survives the hop between threads', () => {
    const err = new Error('boom');
    logger.error(err, 'AnalyticsWorker');
    logger.log({ rows: 3 }, 'AnalyticsWorker');

    expect(posted[0]).toMatchObject({ message: err.stack });
    expect(posted[1]).toMatchObject({ message: '{"rows":3}' });
  });
});

import { connectionName } from './queue-options.factory';

describe('connectionName', () => {
  it('names the job and subscriber connections after the queue', () => {
    expect(connectionName('analytics', 'client')).toBe('nestjs-analytics:analytics:client');
    expect(connectionName('analytics', 'subscriber')).toBe('nestjs-analytics:analytics:subscriber');
  });

  it('leaves the blocking connection to Bull, which names it for queue.getWorkers()', () => {
    expect(connectionName('analytics', 'bclient')).toBeUndefined();
  });

  it('replaces what CLIENT SETNAME refuses: spaces, newlines, non-ASCII', () => {
    expect(connectionName('my queue\nété', 'client')).toBe('nestjs-analytics:my_queue__t_:client');
  });
});

import { componentOf, CpuProfile, selfTimeByComponent } from './cpu-profile';

const OWN = '/tmp/build/src';

describe('componentOf', () => {
  it.each([
    ['analyticsTrackedHandle', 'file:///tmp/build/src/capture/express-request.tracking.js', 'nestjs-analytics code'],
    ['promiseInitHook', 'node:internal/async_hooks', 'AsyncLocalStorage (async_hooks)'],
    ['run', 'node:async_hooks', 'AsyncLocalStorage (async_hooks)'],
    ['executionAsyncResource', '', 'AsyncLocalStorage (async_hooks)'],
    ['randomUUID', 'node:internal/crypto/random', 'ids (uuid, crypto random)'],
    ['v7', 'file:///work/node_modules/uuid/dist/cjs/v7.js', 'ids (uuid, crypto random)'],
    ['Job.toData', 'file:///work/node_modules/bull/lib/job.js', 'Bull + ioredis'],
    ['sendCommand', 'file:///work/node_modules/ioredis/built/Redis.js', 'Bull + ioredis'],
    ['flushChunk', 'file:///work/node_modules/pg-copy-streams/copy-from.js', 'pg + TypeORM'],
    ['query', 'file:///work/node_modules/typeorm/driver/postgres/PostgresQueryRunner.js', 'pg + TypeORM'],
    ['reply', 'file:///work/node_modules/@nestjs/platform-express/adapters/express-adapter.js', 'NestJS'],
    ['next', 'file:///work/node_modules/router/index.js', 'Express or Fastify, and other packages'],
    ['writeHead', 'node:_http_server', 'Node core (http, streams, events, sockets)'],
    ['writev', '', 'Node core (http, streams, events, sockets)'],
    ['(garbage collector)', '', 'garbage collection'],
    ['(program)', '', 'V8 and native (program)'],
    ['main', 'file:///tmp/build/bench/apps/bare.js', 'other'],
  ])('%s in %s is counted to %s', (fn, url, component) => {
    expect(componentOf(fn, url, OWN)).toBe(component);
  });

  it('skips idle time and the root', () => {
    expect(componentOf('(idle)', '', OWN)).toBeUndefined();
    expect(componentOf('(root)', '', OWN)).toBeUndefined();
  });

  it('counts a package inside the build directory as the package, not as own code', () => {
    expect(componentOf('add', 'file:///tmp/build/src/node_modules/bull/lib/queue.js', OWN)).toBe('Bull + ioredis');
  });
});

describe('selfTimeByComponent', () => {
  // Samples at 1000, 1100, 1300, 1600, 2000 µs; each one stands for the time until the next.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '' } },
      { id: 2, callFrame: { functionName: 'begin', url: `file://${OWN}/capture/request-tracker.js` } },
      { id: 3, callFrame: { functionName: '(garbage collector)', url: '' } },
      { id: 4, callFrame: { functionName: '(idle)', url: '' } },
    ],
    startTime: 900,
    endTime: 2100,
    samples: [2, 3, 2, 4, 2],
    timeDeltas: [100, 100, 200, 300, 400],
  };

  it('sums each sample’s time until the next one, by component, inside the window', () => {
    const totals = selfTimeByComponent(profile, 1000, 1600, OWN);
    expect(totals.get('nestjs-analytics code')).toBe(100 + 300);
    expect(totals.get('garbage collection')).toBe(200);
    expect([...totals.keys()]).toHaveLength(2);
  });

  it('leaves out samples outside the window and idle samples', () => {
    const totals = selfTimeByComponent(profile, 1250, 2000, OWN);
    // 1300 (own, until 1600) and 2000 (own, the last sample: no time after it); 1600 is idle.
    expect(totals.get('nestjs-analytics code')).toBe(300);
    expect(totals.has('garbage collection')).toBe(false);
  });
});

import { finishedFor } from './batch-producer';

type Reply = [Error | null, unknown];
const ok = (value: unknown): Reply => [null, value];
const opts = (attempts?: number) => JSON.stringify(attempts === undefined ? {} : { attempts });

describe('finishedFor (one job, from [HMGET attemptsMade opts, ZSCORE completed, ZSCORE failed])', () => {
  it.each<[string, Reply[], boolean]>([
    ['removed on completion (no hash left)', [ok([null, null]), ok(null), ok(null)], true],
    ['completed and kept', [ok(['0', opts(3)]), ok('1732460000000'), ok(null)], true],
    ['waiting or active', [ok([null, opts(3)]), ok(null), ok(null)], false],
    ['delayed for a retry (attempts left)', [ok(['1', opts(3)]), ok(null), ok(null)], false],
    ['failed on its last attempt', [ok(['3', opts(3)]), ok(null), ok('1732460000000')], true],
    ['failed after stalling more often than allowed (no attempt counted)', [ok([null, opts(3)]), ok(null), ok('1732460000000')], true],
    ['a reply that is an error', [[new Error('LOADING'), null], ok(null), ok(null)], false],
    ['missing replies', [ok([null, null])], false],
  ])('%s → %s', (_, replies, expected) => {
    expect(finishedFor(replies)).toBe(expected);
  });
});

import { withTimeout } from './with-timeout';

describe('withTimeout', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('settles as the promise does, and clears its timer', async () => {
    await expect(withTimeout(Promise.resolve(7), 1000, 'late')).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('refused')), 1000, 'late')).rejects.toThrow('refused');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects with the message once the time has passed, and the late outcome is not unhandled', async () => {
    let settle!: (value: number) => void;
    const slow = new Promise<number>((resolve) => (settle = resolve));
    const result = withTimeout(slow, 1000, 'queue.add() did not answer within 1000 ms');
    const outcome = expect(result).rejects.toThrow('queue.add() did not answer within 1000 ms');

    await jest.advanceTimersByTimeAsync(1000);
    await outcome;
    settle(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('treats a deadline already passed as no time at all', async () => {
    const result = withTimeout(new Promise(() => undefined), -50, 'the shutdown deadline passed');
    const outcome = expect(result).rejects.toThrow('the shutdown deadline passed');
    await jest.advanceTimersByTimeAsync(0);
    await outcome;
  });
});

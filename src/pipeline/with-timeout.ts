/**
 * `promise`'s outcome, or a rejection with `message` once `ms` have passed, whichever comes
 * first. The timer is cleared as soon as either settles, so it never keeps the process
 * alive. `promise` itself is not cancelled.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), Math.max(0, ms));
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

import Bull from 'bull';
import { REDIS_URL } from './test-names';

/** A second handle on a spec's Bull queue, to inspect jobs and remove every key afterwards. */
export function openQueue(queueName: string): Bull.Queue {
  return new Bull(queueName, REDIS_URL);
}

export async function obliterateAndClose(queue: Bull.Queue): Promise<void> {
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
}

import { Injectable } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';

/** Reconnect quickly once Redis is back: 200 ms, 400 ms, … capped at 2 s (Bull's default caps at 20 s). */
const retryStrategy = (times: number) => Math.min(times * 200, 2000);

/**
 * Creates the Redis connections of the analytics queue and closes them on shutdown
 * (Bull does not close connections it did not create).
 *
 * The `client` connection, used to add jobs, fails fast: no offline queue, one retry,
 * so a dead Redis never holds `queue.add()` for seconds. The blocking and subscriber
 * connections keep Bull's required settings.
 */
@Injectable()
export class RedisClientRegistry {
  private readonly clients = new Set<Redis>();
  private closed = false;

  create(type: 'client' | 'subscriber' | 'bclient', config: RedisOptions): Redis {
    const common: RedisOptions = { ...config, retryStrategy, connectTimeout: 2000 };
    const options: RedisOptions =
      type === 'client'
        ? { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1 }
        : { ...common, enableReadyCheck: false, maxRetriesPerRequest: null };
    // Bull's worker loop may ask for a connection while the queue is closing: give it one
    // that never connects, so nothing outlives app.close().
    const client = new Redis({ ...options, lazyConnect: this.closed || options.lazyConnect });
    // Bull forwards errors to the queue, which has its own listener; this one only keeps
    // ioredis from printing "Unhandled error event" before Bull attaches.
    client.on('error', () => undefined);
    this.clients.add(client);
    return client;
  }

  /**
   * Closes every connection, and keeps closing them: while a queue closes, Bull
   * disconnects its blocking connection and reconnects it to interrupt BRPOPLPUSH.
   */
  disconnectAll(): void {
    this.closed = true;
    for (const client of this.clients) {
      client.on('connect', () => client.disconnect());
      client.disconnect();
    }
  }
}

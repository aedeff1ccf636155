import { Injectable } from '@nestjs/common';
import Redis, { Cluster, ClusterNode, ClusterOptions, RedisOptions } from 'ioredis';

/** The three connections Bull asks for. */
export type BullConnectionType = 'client' | 'subscriber' | 'bclient';

/** Reconnect quickly once Redis is back: 200 ms, 400 ms, … capped at 2 s (Bull's default caps at 20 s). */
const retryStrategy = (times: number) => Math.min(times * 200, 2000);
const CONNECT_TIMEOUT_MS = 2000;
/**
 * How long `disconnect()` waits for a socket to close before destroying it. ioredis waits
 * 2 s by default, and a socket whose connection was refused never reports `close`: with
 * Redis down, that timer kept the process alive for 2 s after `app.close()`.
 */
const DISCONNECT_TIMEOUT_MS = 200;
/** The socket timeouts every connection gets, to one server or to a cluster's nodes. */
const SOCKET_TIMEOUTS: RedisOptions = { connectTimeout: CONNECT_TIMEOUT_MS, disconnectTimeout: DISCONNECT_TIMEOUT_MS };

/** One retry for the connection that adds jobs; Bull's required settings for the others. */
const perType = (type: BullConnectionType): RedisOptions =>
  type === 'client' ? { maxRetriesPerRequest: 1 } : { enableReadyCheck: false, maxRetriesPerRequest: null };

/**
 * Creates the Redis connections of the analytics queue — to one server, or to a Redis
 * Cluster — and closes them on shutdown (Bull does not close connections it did not create).
 *
 * The `client` connection retries a command once. It keeps ioredis' offline queue: a
 * worker takes a job on its blocking connection and then moves it to active on `client`,
 * and when `client` was reconnecting at that moment (it reconnects on its own schedule,
 * often after the blocking one), a refused command left the job in the active list until
 * Bull's stalled-job check, 30 s later. The producer does not rely on the queue to fail
 * fast: it adds a job only once `client` is ready (`BatchProducer.send`). The blocking and
 * subscriber connections keep Bull's required settings.
 */
@Injectable()
export class RedisClientRegistry {
  private readonly clients = new Set<Redis | Cluster>();
  /** The node connections of the clusters in `clients` that have not ended. */
  private readonly clusterNodes = new Set<Redis>();
  private closed = false;

  /** A connection to one Redis server. */
  create(type: BullConnectionType, config: RedisOptions): Redis {
    const options: RedisOptions = {
      ...config,
      retryStrategy,
      ...SOCKET_TIMEOUTS,
      ...perType(type),
    };
    // Bull's worker loop may ask for a connection while the queue is closing: give it one
    // that never connects, so nothing outlives app.close().
    return this.track(new Redis({ ...options, lazyConnect: this.closed || options.lazyConnect }));
  }

  /**
   * A connection to a Redis Cluster. ioredis keeps the offline queue, the ready check and
   * reconnection at the Cluster level (each node's own connection always queues while the
   * Cluster is up, and never reconnects by itself); the per-command retry limit and Bull's
   * checks read `redisOptions`.
   */
  createCluster(type: BullConnectionType, nodes: ClusterNode[], options: ClusterOptions = {}): Cluster {
    return this.track(
      new Cluster(nodes, {
        ...options,
        clusterRetryStrategy: retryStrategy,
        // For every type, `client` included: see the class comment.
        enableOfflineQueue: true,
        // Every type waits for cluster_state:ok. Bull gives up on its worker for good when the
        // subscriber's first SUBSCRIBE fails, and a cluster that answers CLUSTER SLOTS while it
        // is still forming (no slots yet) would fail it. The check runs once per (re)connect, on
        // fresh node connections, so it never queues behind the blocking connection's BRPOPLPUSH.
        enableReadyCheck: true,
        lazyConnect: this.closed || options.lazyConnect,
        redisOptions: { ...options.redisOptions, ...SOCKET_TIMEOUTS, ...perType(type) },
      }),
    );
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
    for (const node of this.clusterNodes) node.disconnect();
  }

  private track<T extends Redis | Cluster>(client: T): T {
    // Bull forwards errors to the queue, which has its own listener; this one only keeps
    // ioredis from printing "Unhandled error event" before Bull attaches.
    client.on('error', () => undefined);
    this.clients.add(client);
    if (client instanceof Cluster) client.on('+node', (node: Redis) => this.trackNode(node));
    return client;
  }

  /**
   * Keeps a cluster's node connection until it ends. ioredis' connection pool forgets a
   * node by its address when an earlier connection to that address ends: when the pool
   * drops a node and adds it again within a moment (a topology refresh, a reconnect while
   * the cluster forms), the old connection's late `end` removes the new one from the pool,
   * still open. `Cluster.disconnect()` then never closes it; `disconnectAll()` does.
   * It is not closed before then: its own `end` would remove from the pool the connection
   * opened to that address in the meantime, and so on, one connection after another.
   * ioredis 6.0 fixes the pool; Bull 4 depends on ioredis 5.
   */
  private trackNode(node: Redis): void {
    if (this.closed) {
      node.disconnect();
      return;
    }
    this.clusterNodes.add(node);
    node.once('end', () => this.clusterNodes.delete(node));
  }
}

import net from 'node:net';

/**
 * A TCP proxy on loopback in front of a real PostgreSQL or Redis, that a test can take
 * down (closing every connection and refusing new ones) and bring back, to simulate the
 * service going away without touching the shared server.
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    readonly port: number,
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {}

  /** A free loopback port. */
  static async freePort(): Promise<number> {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((r) => probe.close(r));
    return port;
  }

  async up(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  /**
   * Keeps every open connection open but lets no byte through it either way, as a host that
   * died behind a live network path does; new connections go through (a new primary).
   */
  freezeOpenConnections(): void {
    for (const s of this.sockets) {
      s.unpipe();
      s.pause();
    }
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise((r) => server.close(r));
  }
}

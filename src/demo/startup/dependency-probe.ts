import { connect } from 'node:net';

/** A backing service the demo needs, as read from its URL. */
export interface DependencyTarget {
  name: 'PostgreSQL' | 'Redis';
  /** Environment variable the URL came from, or undefined for the default. */
  envVar?: string;
  host: string;
  port: number;
}

/** Host and port of a `postgres://` or `redis://` URL; undefined when the URL cannot be parsed. */
export function targetFromUrl(
  name: DependencyTarget['name'],
  url: string,
  defaultPort: number,
  envVar?: string,
): DependencyTarget | undefined {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
    return { name, envVar, host, port: parsed.port ? Number(parsed.port) : defaultPort };
  } catch {
    return undefined;
  }
}

/** True when a TCP connection to the target opens within `timeoutMs`. Never rejects. */
export function isReachable(target: DependencyTarget, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: target.host, port: target.port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

import type { LoggerService } from '@nestjs/common';
import type { ThreadLogLevel, ThreadMessage } from './worker-thread.protocol';

/** Nest's own start-up and shut-down lines, which the process has printed once already. */
const NEST_LIFECYCLE_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'NestApplicationContext']);

/**
 * The Nest logger of a worker thread: every line goes to the process's logger (the app's
 * own logger, with its levels and format), except Nest's start-up lines.
 */
export class ThreadLogger implements LoggerService {
  constructor(private readonly post: (message: ThreadMessage) => void) {}

  log(message: unknown, ...params: unknown[]): void {
    this.forward('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.forward('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.forward('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.forward('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.forward('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.forward('fatal', message, params);
  }

  private forward(level: ThreadLogLevel, message: unknown, params: unknown[]): void {
    const context = params[params.length - 1];
    if (level === 'log' && typeof context === 'string' && NEST_LIFECYCLE_CONTEXTS.has(context)) return;
    // Nest passes `undefined` for a missing stack: it stays undefined.
    this.post({ kind: 'log', level, message: text(message), params: params.map((p) => (p === undefined ? p : text(p))) });
  }
}

/** A log argument as text (a message must survive the hop between threads). */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.stack ?? value.message;
  try {
    return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  } catch {
    return String(value);
  }
}

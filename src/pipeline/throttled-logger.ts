import { Logger } from '@nestjs/common';

/**
 * Logs a given kind of problem at most once per interval, with how many times it
 * happened since, so a dead Redis does not write a line per request.
 */
export class ThrottledLogger {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
  ) {}

  warn(kind: string, message: string): void {
    this.emit(kind, message, (m) => this.logger.warn(m));
  }

  error(kind: string, message: string): void {
    this.emit(kind, message, (m) => this.logger.error(m));
  }

  private emit(kind: string, message: string, write: (m: string) => void): void {
    const now = Date.now();
    const entry = this.last.get(kind);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    const suffix = entry?.suppressed ? ` (${entry.suppressed} more like this since the last message)` : '';
    this.last.set(kind, { at: now, suppressed: 0 });
    write(message + suffix);
  }
}

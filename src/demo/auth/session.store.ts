import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';

const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

interface Session {
  userId: string;
  expiresAt: number;
}

/** Opaque bearer tokens mapped to user ids, in memory. */
@Injectable()
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  open(userId: string): { token: string; expiresInSeconds: number } {
    const token = randomBytes(32).toString('base64url');
    this.sessions.set(token, { userId, expiresAt: Date.now() + SESSION_TTL_MS });
    return { token, expiresInSeconds: SESSION_TTL_MS / 1000 };
  }

  /** The user id of a live session, or undefined. */
  resolve(token: string): string | undefined {
    const session = this.sessions.get(token);
    if (!session) return undefined;
    if (session.expiresAt <= Date.now()) {
      this.sessions.delete(token);
      return undefined;
    }
    return session.userId;
  }

  close(token: string): void {
    this.sessions.delete(token);
  }
}

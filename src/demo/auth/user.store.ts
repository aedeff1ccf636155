import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

export interface User {
  id: string;
  email: string;
  name?: string;
  passwordHash: string;
  createdAt: Date;
}

/** In-memory users, keyed by normalised e-mail. Gone when the process exits. */
@Injectable()
export class UserStore {
  private readonly byEmail = new Map<string, User>();

  findByEmail(email: string): User | undefined {
    return this.byEmail.get(email);
  }

  /** @returns the new user, or undefined when the e-mail is taken. */
  create(email: string, passwordHash: string, name?: string): User | undefined {
    if (this.byEmail.has(email)) return undefined;
    const user: User = { id: randomUUID(), email, name, passwordHash, createdAt: new Date() };
    this.byEmail.set(email, user);
    return user;
  }
}

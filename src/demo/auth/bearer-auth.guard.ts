import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { AuthenticatedRequest } from './authenticated-user';
import { extractBearerToken } from './bearer-token';
import { SessionStore } from './session.store';

/** Resolves `req.user = { id }` from `Authorization: Bearer <token>`; 401 otherwise. */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(private readonly sessions: SessionStore) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = extractBearerToken(req.headers.authorization);
    const userId = token ? this.sessions.resolve(token) : undefined;
    if (!userId) throw new UnauthorizedException('Missing or expired bearer token; POST /auth/login first.');
    req.user = { id: userId };
    return true;
  }
}

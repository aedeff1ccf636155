/** What `BearerAuthGuard` puts on `req.user`; the analytics module reads `req.user.id`. */
export interface AuthenticatedUser {
  id: string;
}

/** The parts of an Express or Fastify request the guard touches. */
export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: AuthenticatedUser;
}

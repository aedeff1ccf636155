import type { DependencyTarget } from './dependency-probe';

/** What the demo prints at start-up, written in one place. */

const START_COMMANDS: Record<DependencyTarget['name'], (port: number) => string> = {
  PostgreSQL: () => 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  Redis: (port) => `redis-server --daemonize yes --bind 127.0.0.1 -::1 --port ${port} --save "" --appendonly no`,
};

const WHILE_DOWN: Record<DependencyTarget['name'], string> = {
  PostgreSQL: 'records wait in the Redis queue and are written once PostgreSQL is back.',
  Redis: 'records are buffered in memory (up to flush.maxBufferSize) and handed to the queue once Redis is back.',
};

export function unreachableMessage(target: DependencyTarget): string {
  const source = target.envVar ? ` (from ${target.envVar})` : ' (the default)';
  return [
    '',
    `!! ${target.name} is not reachable at ${target.host}:${target.port}${source}.`,
    '   Start it with:',
    `     ${START_COMMANDS[target.name](target.port)}`,
    `   The demo runs anyway: ${WHILE_DOWN[target.name]}`,
    '',
  ].join('\n');
}

export function invalidUrlMessage(name: string, envVar: string): string {
  return `!! ${envVar} is not a valid URL, so ${name} was not probed; the analytics module will report it.`;
}

export function portInUseMessage(port: number): string {
  return `Port ${port} is already in use. Stop the other process or choose another port: PORT=${port + 1} npm start`;
}

export function startupFailedMessage(reason: string): string {
  return `The demo could not start: ${reason}`;
}

const JSON_HEADER = "-H 'content-type: application/json'";
const AUTH_HEADER = '-H "authorization: Bearer $TOKEN"';

const psql = (sql: string) => `  psql -h 127.0.0.1 -U postgres postgres -c '${sql}'`;

export function welcomeMessage(baseUrl: string, schema: string): string {
  const credentials = `'{"email":"ada@example.com","password":"correct-horse-battery"}'`;
  return [
    '',
    `nestjs-analytics demo listening on ${baseUrl}`,
    '',
    'Try it:',
    `  curl -s -X POST ${baseUrl}/auth/signup ${JSON_HEADER} -d ${credentials}`,
    `  TOKEN=$(curl -s -X POST ${baseUrl}/auth/login ${JSON_HEADER} -d ${credentials} | sed -E 's/.*"accessToken":"([^"]+)".*/\\1/')`,
    `  ID=$(curl -s -X POST ${baseUrl}/projects ${AUTH_HEADER} ${JSON_HEADER} -d '{"name":"Apollo"}' | sed -E 's/.*"id":"([^"]+)".*/\\1/')`,
    `  curl -s -X PATCH ${baseUrl}/projects/$ID ${AUTH_HEADER} ${JSON_HEADER} -d '{"status":"archived"}'`,
    `  curl -s ${baseUrl}/projects/$ID ${AUTH_HEADER}`,
    `  curl -s -X DELETE ${baseUrl}/projects/$ID ${AUTH_HEADER}`,
    `  curl -s -X POST ${baseUrl}/ai/summarize ${AUTH_HEADER} ${JSON_HEADER} -d '{"text":"NestJS is a framework for building efficient, scalable Node.js server-side applications."}'`,
    `  curl -s -X POST ${baseUrl}/ai/summarize ${AUTH_HEADER} ${JSON_HEADER} -d '{"text":"fail"}'   # Gemini answers 429`,
    `  curl -s ${baseUrl}/projects   # no token: 401`,
    `  curl -s ${baseUrl}/stats`,
    '',
    `Every request (404s and 401s included) is a row in ${schema}.api_access_logs; audit, auth,`,
    `external-call and event rows carry the same request_id. Records are flushed every few seconds:`,
    psql(`select method, route, status_code, response_time_ms from ${schema}.api_access_logs order by created_at desc limit 10`),
    psql(`select action, status, severity, resource_id, changes from ${schema}.audit_logs order by created_at`),
    psql(`select model, status_code, input_tokens, output_tokens, cost_estimate from ${schema}.external_api_call_logs order by created_at`),
    '',
  ].join('\n');
}

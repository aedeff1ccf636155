import { isConnectionError } from './analytics-database';

describe('isConnectionError', () => {
  it('is true for a server that cannot be reached or refuses the session', () => {
    expect(isConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('getaddrinfo ENOTFOUND db'), { code: 'ENOTFOUND' }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('password authentication failed'), { code: '28P01' }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('database "x" does not exist'), { code: '3D000' }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toBe(true);
    expect(isConnectionError(new Error('Connection terminated due to connection timeout'))).toBe(true);
  });

  it('is false for a migration that failed on a reachable server', () => {
    expect(isConnectionError(Object.assign(new Error('permission denied for database test'), { code: '42501' }))).toBe(false);
    expect(isConnectionError(Object.assign(new Error('relation "audit_logs" already exists'), { code: '42P07' }))).toBe(false);
    expect(isConnectionError(new Error('another instance has held the migration lock of schema "a" for more than 10000 ms'))).toBe(false);
  });
});

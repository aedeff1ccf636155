import { readIp, readProperty, readRoute, readSessionId, readStatusCode, readUser } from './read-property';

describe('readProperty', () => {
  it('reads own and inherited properties, as a property access does', () => {
    const proto = { inherited: 'from prototype' };
    const target = Object.assign(Object.create(proto), { own: 1 });
    expect(readProperty(target, 'own')).toBe(1);
    expect(readProperty(target, 'inherited')).toBe('from prototype');
    expect(readProperty(target, 'missing')).toBeUndefined();
  });

  it('calls getters with the object itself as `this`', () => {
    class Base {
      secret = 'x';
      get derived() {
        return `${this.secret}!`;
      }
    }
    const target = Object.setPrototypeOf({ secret: 'own' }, Base.prototype);
    expect(readProperty(target, 'derived')).toBe('own!');
  });

  it('reads properties of functions and symbol keys', () => {
    const key = Symbol('k');
    const fn = Object.assign(() => undefined, { [key]: 'sym' });
    expect(readProperty(fn, key)).toBe('sym');
  });

  it('gives undefined for null, undefined and primitives instead of throwing', () => {
    for (const target of [null, undefined, 'text', 42, true]) expect(readProperty(target, 'length')).toBeUndefined();
  });
});

describe('the request readers', () => {
  /** A request re-parented as Express does it, with a getter on its new prototype. */
  function expressLikeRequest(own: Record<string, unknown>) {
    const proto = Object.create(Object.prototype, {
      ip: {
        get(this: { forwarded?: string }) {
          return this.forwarded ?? '127.0.0.1';
        },
      },
    });
    return Object.assign(Object.setPrototypeOf({}, proto), own);
  }

  it('read route, status, ip, user and session as plain property reads would', () => {
    const req = expressLikeRequest({
      route: { path: '/items/:id' },
      user: { id: 'u1' },
      sessionID: 's1',
      headers: { cookie: 'theme=dark; connect.sid=s%3As1.c2lnbmF0dXJl' },
      forwarded: '203.0.113.9',
    });
    expect(readRoute(req)?.path).toBe('/items/:id');
    expect(readStatusCode({ statusCode: 201 })).toBe(201);
    expect(readIp(req)).toBe('203.0.113.9');
    expect(readUser(req)).toEqual({ id: 'u1' });
    expect(readSessionId(req)).toBe('s1');
  });

  it('take express-session\'s sessionID only when the request came with it: one made for this request names no session yet', () => {
    expect(readSessionId(expressLikeRequest({ sessionID: 'fresh', headers: {} }))).toBeUndefined();
    expect(readSessionId(expressLikeRequest({ sessionID: 'fresh', headers: { cookie: 'connect.sid=s%3Aother.sig' } }))).toBeUndefined();
    expect(readSessionId(expressLikeRequest({ sessionID: 'kept', headers: { cookie: 'sid=s%3Akept.sig' } }))).toBe('kept');
  });

  it('take the session id from req.session.id when there is no req.sessionID', () => {
    expect(readSessionId(expressLikeRequest({ session: { id: 's2' } }))).toBe('s2');
    expect(readSessionId(expressLikeRequest({ session: null }))).toBeUndefined();
    expect(readSessionId(expressLikeRequest({}))).toBeUndefined();
  });

  it('give undefined for a missing request', () => {
    for (const read of [readRoute, readIp, readUser, readSessionId]) expect(read(undefined)).toBeUndefined();
  });
});

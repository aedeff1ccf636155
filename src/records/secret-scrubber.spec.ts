import { DEFAULT_REDACT_KEYS } from '../options/analytics-options.defaults';
import { REDACTED } from './record-limits';
import { SecretKeys } from './secret-keys';
import { SecretScrubber } from './secret-scrubber';

describe('SecretScrubber', () => {
  const scrubber = new SecretScrubber(new SecretKeys(DEFAULT_REDACT_KEYS));
  const scrub = (value: string): string => scrubber.scrub(value);
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

  describe('URLs', () => {
    it("redacts a Gemini REST URL's ?key= and keeps the rest of the URL", () => {
      const url = 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?key=AIzaSyA-1234567890abcdefghijklmnopqrstu&alt=sse';
      expect(scrub(url)).toBe(
        `https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?key=${REDACTED}&alt=sse`,
      );
    });

    it('redacts query parameters named by redactKeys and the signatures of signed URLs', () => {
      expect(scrub('https://api.test/v1/items?access_token=abc123&page=2')).toBe(`https://api.test/v1/items?access_token=${REDACTED}&page=2`);
      expect(scrub('https://b.s3.amazonaws.com/o?X-Amz-Credential=AK%2F2026&X-Amz-Signature=9f86d08&X-Amz-Expires=60')).toBe(
        `https://b.s3.amazonaws.com/o?X-Amz-Credential=${REDACTED}&X-Amz-Signature=${REDACTED}&X-Amz-Expires=60`,
      );
      expect(scrub('https://a.blob.core.windows.net/c/b?sv=2024&sig=abc%2Bdef%3D&se=2026')).toBe(
        `https://a.blob.core.windows.net/c/b?sv=2024&sig=${REDACTED}&se=2026`,
      );
      expect(scrub('https://api.test/?user%5Bpassword%5D=x&y=1')).toBe(`https://api.test/?user%5Bpassword%5D=${REDACTED}&y=1`);
    });

    it('redacts the password of a scheme://user:password@host URL', () => {
      expect(scrub('connect ECONNREFUSED postgres://app:hunter2@db.internal:5432/app')).toBe(
        `connect ECONNREFUSED postgres://app:${REDACTED}@db.internal:5432/app`,
      );
      expect(scrub('redis://:s3cret@cache:6379/0')).toBe(`redis://:${REDACTED}@cache:6379/0`);
    });

    it('keeps URLs and paths that carry no secret as they are', () => {
      for (const value of ['/api/v1/users/123/projects', 'https://api.test/v1/items?page=2&sort=name', 'https://user@host.test/a', 'mailto:a@b.test']) {
        expect(scrub(value)).toBe(value);
      }
    });
  });

  describe('credentials in text', () => {
    it('redacts JWTs wherever they are', () => {
      expect(scrub(`token ${jwt} expired`)).toBe(`token ${REDACTED} expired`);
      expect(scrub(`/verify-email/${jwt}`)).toBe(`/verify-email/${REDACTED}`);
    });

    it.each([
      ['Google', 'AIzaSyA-1234567890abcdefghijklmnopqrstu'],
      ['OpenAI', 'sk-proj-Abcdefghijklmnopqrstuvwxyz0123456789'],
      ['Anthropic', 'sk-ant-api03-Abcdefghijklmnopqrstuvwxyz0123'],
      ['GitHub', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
      ['AWS', 'AKIAIOSFODNN7EXAMPLE'],
      ['Slack', 'xoxb-1234567890-abcdefghij'],
    ])('redacts a %s API key by its prefix', (_provider, key) => {
      expect(scrub(`Invalid API key: ${key}. Check your settings.`)).toBe(`Invalid API key: ${REDACTED}. Check your settings.`);
    });

    it('redacts Bearer tokens and Basic credentials, but not the words', () => {
      expect(scrub('Authorization: Bearer 8f2a1c9e7b6d5a4f3e2d1c0b')).toBe(`Authorization: Bearer ${REDACTED}`);
      expect(scrub('sent Basic dXNlcjpwYXNzd29yZA== upstream')).toBe(`sent Basic ${REDACTED} upstream`);
      expect(scrub('Missing Bearer token in request')).toBe('Missing Bearer token in request');
      expect(scrub('Basic plan users cannot export')).toBe('Basic plan users cannot export');
    });

    it('redacts secret name=value pairs in text, and secret fields of quoted JSON', () => {
      expect(scrub('login failed: password=hunter2 user=ann')).toBe(`login failed: password=${REDACTED} user=ann`);
      expect(scrub('400 body {"email":"a@b.test","password" : "hun\\"ter2","n":1}')).toBe(
        `400 body {"email":"a@b.test","password" : "${REDACTED}","n":1}`,
      );
    });

    it("keeps pairs that are not secret: key= is a credential only in a URL's query", () => {
      for (const value of ['cache key=users:1 missed', 'size=10 count=3', 'monkey=banana&cacheKey=abc', '{"tokenCount": "12"}']) {
        expect(scrub(value)).toBe(value);
      }
    });
  });

  describe('inside the values of pairs that are not secret', () => {
    it.each([
      [`callback?code=${'x'}&next=${jwt}`, `callback?code=x&next=${REDACTED}`],
      ['config key=sk-proj-Abcdefghijklmnopqrstuvwxyz0123456789', `config key=${REDACTED}`],
      ['DATABASE_URL=postgres://app:hunter2@db:5432/app', `DATABASE_URL=postgres://app:${REDACTED}@db:5432/app`],
      ['redirect=https://a.test/cb?access_token=abc123secret', `redirect=https://a.test/cb?access_token=${REDACTED}`],
      ['OpenAI 401: {"error":{"message":"Incorrect API key provided: sk-proj-Abcdefghijklmnopqrstuvwxyz0123"}}', `OpenAI 401: {"error":{"message":"Incorrect API key provided: ${REDACTED}"}}`],
      ['{"dsn": "postgres://app:hunter2@db/app"}', `{"dsn": "postgres://app:${REDACTED}@db/app"}`],
    ])('finds the secret in %s', (input, output) => {
      expect(scrub(input)).toBe(output);
    });
  });

  describe('the forms the shapes take', () => {
    it.each([
      ['Basic am9zw6k6cMOkc3N3w7ZyZA==', `Basic ${REDACTED}`],
      ['Authorization: BEARER 8f2a1c9e7b6d5a4f3e2d1c0b', `Authorization: BEARER ${REDACTED}`],
      ['postgres://app:p@ss@db/app', `postgres://app:${REDACTED}@db/app`],
      [`'password=hunter2'`, `'password=${REDACTED}'`],
      ['|password=hunter2|', `|password=${REDACTED}|`],
      ['password="hunter 2" next', `password="${REDACTED}" next`],
      ['password=hun,ter2', `password=${REDACTED}`],
      ['[password=x]', `[password=${REDACTED}]`],
      ['400 {"password": "hunter2', `400 {"password": "${REDACTED}`],
      ["{'password': 'hunter2'}", `{'password': '${REDACTED}'}`],
      ['password: hunter2', `password: ${REDACTED}`],
      ['X-Api-Key: abc123def456', `X-Api-Key: ${REDACTED}`],
      ['https://app.test/cb#access_token=abc123&state=x', `https://app.test/cb#access_token=${REDACTED}&state=x`],
      ['https://app.test/cart;jsessionid=0123ABCD?x=1', `https://app.test/cart;jsessionid=${REDACTED}?x=1`],
      ['charged with sk_live_51Habcdefghij0123', `charged with ${REDACTED}`],
      ['token glpat-abcdefghij0123456789', `token ${REDACTED}`],
    ])('%s', (input, output) => {
      expect(scrub(input)).toBe(output);
    });
  });

  it.each([
    '/products/sk-ii-facial-treatment-essence-230ml',
    'xoxo-gossip-girl-season-1',
    'GET http://localhost:3000?invite=bob@acme.com',
    'The bearer responsibilities are listed below',
    'Missing Bearer authorization-header',
    'Error: connect ECONNREFUSED 127.0.0.1:5432 at 12:30:45',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(scrub(text)).toBe(text);
  });

  it('returns the same string when there is nothing to redact, and is idempotent', () => {
    const plain = 'User 42 created project "Website redesign" in workspace acme';
    expect(scrub(plain)).toBe(plain);
    const once = scrub(`GET https://x.test/?key=abc with Bearer ${jwt}`);
    expect(scrub(once)).toBe(once);
  });

  it('adds user redactKeys to the names it looks for', () => {
    const own = new SecretScrubber(new SecretKeys([...DEFAULT_REDACT_KEYS, 'sessionKey']));
    expect(own.scrub('retry with session_key=abc123')).toBe(`retry with session_key=${REDACTED}`);
  });

  it('scans long strings of shapes that start but never finish, leaving them as they are', () => {
    // An unterminated JSON string, URLs without `@`, names too long to be a key: no backtracking blow-up.
    const hostile = `"note": "${'a'.repeat(100_000)}${' http://u:x'.repeat(5_000)} ${'b'.repeat(100_000)}=1`;
    expect(scrub(hostile)).toBe(hostile);
  });

  it('scans runs that every shape could start at again, in one pass (no quadratic time)', () => {
    // Each of these restarted a shape at every word boundary; now each run is one attempt.
    for (const run of ['eyJ-', 'a.', 'a-', 'a+', 'sk-x']) {
      const hostile = `=${run.repeat(25_000)}`;
      expect(scrub(hostile)).toBe(hostile);
    }
  });

  it('searches pair values nested in pair values a few levels deep, never by recursing without end', () => {
    const nested = 'a=b:'.repeat(20_000);
    expect(scrub(nested)).toBe(nested);
    expect(scrub('u=https://a.test/?next=https://b.test/?token=abc123')).toBe(`u=https://a.test/?next=https://b.test/?token=${REDACTED}`);
  });
});

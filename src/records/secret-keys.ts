/** Normalised key starts that always name a secret, whatever follows. */
const SECRET_PREFIXES: readonly string[] = ['password', 'passwd', 'secret'];

/**
 * URL query parameters that carry a credential by convention, whatever `redactKeys` says:
 * Google's `?key=` API keys, signed-URL signatures (Azure SAS `sig`, S3 and GCS presigned
 * URLs), session ids in URLs (`;jsessionid=`). Normalised like keys.
 */
const URL_CREDENTIAL_PARAMS: ReadonlySet<string> = new Set([
  'key',
  'sig',
  'signature',
  'xamzsignature',
  'xamzcredential',
  'xamzsecuritytoken',
  'xgoogsignature',
  'xgoogcredential',
  'jsessionid',
  'phpsessid',
]);

/** Lower-case, separators removed: `X-Api-Key`, `x_api_key` and `xApiKey` compare equal. */
function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_\s.]/g, '');
}

/** Keys up to this length have their answer remembered; at most `MEMO_SIZE` of them (then it starts afresh). */
const MEMO_KEY_LENGTH = 64;
const MEMO_SIZE = 1000;

/** Which keys (object keys, query parameter names) name a secret, from `redactKeys`. */
export class SecretKeys {
  private readonly redact: string[];
  /**
   * Answers already given: apps use the same few keys in every record (`sort`, `page`,
   * `userId`), and deciding costs a lower-casing, a regex and some 20 string comparisons.
   * Bounded, as query keys come from clients.
   */
  private readonly known = new Map<string, boolean>();

  constructor(redactKeys: readonly string[]) {
    this.redact = [...new Set(redactKeys.map(normalizeKey).filter(Boolean))];
  }

  /**
   * True when a key names a secret: `accessToken`, `X-Api-Key` and `user_password` all
   * match (equal to, or ending with, a redact key), and so do keys that *start* with
   * `password`, `passwd` or `secret` (`passwordHash`, `passwordConfirm`, `secretKey`).
   * Other keys are not prefix-matched: `tokenCount` is a number, not a token. A key in
   * bracket notation is secret when any of its parts is (`user[password]`, `token[]`).
   */
  isSecret(key: string): boolean {
    if (key.length > MEMO_KEY_LENGTH) return this.decide(key);
    let secret = this.known.get(key);
    if (secret === undefined) {
      secret = this.decide(key);
      if (this.known.size >= MEMO_SIZE) this.known.clear();
      this.known.set(key, secret);
    }
    return secret;
  }

  private decide(key: string): boolean {
    if (key.includes('[')) return key.split(/[[\]]/).some((part) => part !== '' && this.isSecret(part));
    const k = normalizeKey(key);
    return this.redact.some((r) => k === r || k.endsWith(r)) || SECRET_PREFIXES.some((p) => k.startsWith(p));
  }

  /** A secret key, or a URL query parameter that carries a credential by convention (`key`, `sig`, `X-Amz-Signature`). */
  isSecretUrlParam(name: string): boolean {
    return this.isSecret(name) || URL_CREDENTIAL_PARAMS.has(normalizeKey(name));
  }
}

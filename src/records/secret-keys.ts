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

/** Which keys (object keys, query parameter names) name a secret, from `redactKeys`. */
export class SecretKeys {
  private readonly redact: string[];

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
    if (key.includes('[')) return key.split(/[[\]]/).some((part) => part !== '' && this.isSecret(part));
    const k = normalizeKey(key);
    return this.redact.some((r) => k === r || k.endsWith(r)) || SECRET_PREFIXES.some((p) => k.startsWith(p));
  }

  /** A secret key, or a URL query parameter that carries a credential by convention (`key`, `sig`, `X-Amz-Signature`). */
  isSecretUrlParam(name: string): boolean {
    return this.isSecret(name) || URL_CREDENTIAL_PARAMS.has(normalizeKey(name));
  }
}

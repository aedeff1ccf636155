import { REDACTED } from './record-limits';
import type { SecretKeys } from './secret-keys';

/**
 * The shapes of a secret inside a value, in one pass. Each alternative is bounded or anchored
 * on a literal, so a long string is scanned in linear time.
 */
const SECRET_SHAPES = new RegExp(
  [
    // A JSON Web Token: two base64url JSON objects (`{"` is `eyJ`) and a signature.
    String.raw`(?<jwt>\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]*)`,
    // Provider API keys by their published prefixes: Google, OpenAI/Anthropic, GitHub, AWS, Slack.
    String.raw`(?<apiKey>\b(?:AIza[\w-]{35}|sk-[\w-]{20,}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\w{22,}|AKIA[0-9A-Z]{16}|xox[abposr]-[A-Za-z0-9-]{10,}))`,
    // An Authorization header value: `Bearer <token>` (16+ characters, so "Bearer token" stays) or `Basic <base64>`.
    String.raw`(?<scheme>\b(?:[Bb]earer\s+(?=[\w\-.~+/]{16})|[Bb]asic\s+(?=[A-Za-z0-9+/]{4,})))(?<credential>[\w\-.~+/]+=*)`,
    // A password in a URL: `scheme://user:password@host`.
    String.raw`(?<userinfo>\b[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/:@]*:)(?<password>[^\s/@]+)(?=@)`,
    // `name=value` in a query string or in text: `?key=…`, `&token=…`, `password=…`.
    String.raw`(?<pairLead>[?&;]|^|[\s,{(])(?<pairName>[\w.\-[\]%]{1,64})=(?<pairValue>[^&#\s"',;)}]+)`,
    // `"name": "value"` in JSON text (an error message that quotes a request body).
    String.raw`(?<jsonLead>"(?<jsonName>[^"\\]{1,64})"\s*:\s*")(?<jsonValue>(?:[^"\\]|\\.)*)(?=")`,
  ].join('|'),
  'g',
);

/**
 * What every shape above contains. Most strings (paths, names, messages) have none of it, and
 * this one test is 4–7 times cheaper than the full search (43 ns against 196 ns on a path).
 */
const SECRET_HINT = /[=@]|"\s*:|eyJ|AIza|sk-|gh[pousr]_|github_pat_|AKIA|xox|[Bb]earer|[Bb]asic/;

/** Strings shorter than this hold none of the shapes above as a secret worth the name. */
const MIN_LENGTH = 8;

/**
 * Finds secrets *inside* string values, where a key-based rule cannot see them, and replaces
 * each with `"[REDACTED]"`: JWTs, provider API keys (`AIza…`, `sk-…`, `ghp_…`, `AKIA…`,
 * `xoxb-…`), `Bearer`/`Basic` credentials, the password of a `scheme://user:password@` URL,
 * and the value of a `name=value` or `"name": "value"` pair whose name is a secret key (or
 * a URL credential parameter such as `?key=` and `?sig=`). What surrounds a secret is kept.
 */
export class SecretScrubber {
  constructor(private readonly keys: SecretKeys) {}

  /** The string with every secret found in it replaced; the same string when there is none. */
  scrub(value: string): string {
    if (value.length < MIN_LENGTH || !SECRET_HINT.test(value)) return value;
    return value.replace(SECRET_SHAPES, (match: string, ...args: unknown[]) => {
      const g = args[args.length - 1] as Record<string, string | undefined>;
      if (g.jwt !== undefined || g.apiKey !== undefined) return REDACTED;
      if (g.scheme !== undefined) return this.credential(match, g.scheme, g.credential!);
      if (g.userinfo !== undefined) return g.userinfo + REDACTED;
      if (g.pairName !== undefined) {
        return this.isSecretPair(g.pairName, g.pairLead!) ? `${g.pairLead}${g.pairName}=${REDACTED}` : match;
      }
      if (g.jsonName !== undefined) return this.keys.isSecret(g.jsonName) ? g.jsonLead + REDACTED : match;
      return match;
    });
  }

  /** `Bearer x` is always a token; `Basic x` only when `x` decodes to `user:password` (so "Basic plan" stays). */
  private credential(match: string, scheme: string, credential: string): string {
    if (/^[Bb]earer/.test(scheme)) return scheme + REDACTED;
    const decoded = Buffer.from(credential, 'base64').toString('latin1');
    return decoded.includes(':') && /^[\x20-\x7e]+$/.test(decoded) ? scheme + REDACTED : match;
  }

  /** In a URL's query (after `?` or `&`) `key` and `sig` are credentials too; in text, only secret keys are. */
  private isSecretPair(name: string, lead: string): boolean {
    const key = decodeName(name);
    return lead === '?' || lead === '&' ? this.keys.isSecretUrlParam(key) : this.keys.isSecret(key);
  }
}

/** A percent-encoded parameter name (`user%5Bpassword%5D`) as the server reads it. */
function decodeName(name: string): string {
  if (!name.includes('%')) return name;
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

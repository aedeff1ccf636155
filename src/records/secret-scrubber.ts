import { REDACTED } from './record-limits';
import type { SecretKeys } from './secret-keys';

/** `Bearer` and `Basic` in any case, as HTTP auth schemes are case-insensitive. */
const BEARER = '[Bb][Ee][Aa][Rr][Ee][Rr]';
const BASIC = '[Bb][Aa][Ss][Ii][Cc]';

/**
 * The shapes of a secret inside a value, in one pass. Every alternative starts where the
 * one before it could not have (a lookbehind, or a literal), so no run of characters is
 * scanned again from each of its positions: a long string costs linear time.
 */
const SECRET_SHAPES = new RegExp(
  [
    // A JSON Web Token, signed (three parts, the second a JSON object too) or encrypted (five parts).
    String.raw`(?<jwt>(?<![\w-])eyJ[\w-]{8,}(?:\.eyJ[\w-]{8,}\.[\w-]*=*|(?:\.[\w-]*){4}))`,
    // Provider API keys by their published prefixes: Google, OpenAI/Anthropic, Stripe, GitHub, GitLab, AWS, Slack.
    String.raw`(?<apiKey>(?<![\w-])(?:AIza[\w-]{35}|sk-[\w-]{20,}|[sr]k_(?:live|test)_[A-Za-z0-9]{10,}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\w{22,}|glpat-[\w-]{20,}|AKIA[0-9A-Z]{16}|xox[abprs]-\d{6,}-[A-Za-z0-9-]{8,}))`,
    // An Authorization header value: `Bearer <token>` or `Basic <base64 of user:password>`.
    String.raw`(?<scheme>(?<![\w-])(?:${BEARER}[ \t\r\n]*(?=[\w\-.~+/]{16})|${BASIC}[ \t\r\n]+(?=[A-Za-z0-9+/]{4})))(?<credential>[\w\-.~+/]+=*)`,
    // A password in a URL: `scheme://user:password@host` (the password may hold `@`; the last one ends it).
    String.raw`(?<userinfo>(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/:@?#]*:)(?<password>[^\s/?#]+)(?=@[^\s/@?#])`,
    // `name=value` in a query string, a fragment or text: `?key=…`, `#access_token=…`, `password="…"`.
    String.raw`(?<pairLead>[?&;#]|^|[\s,{(\['"|])(?<pairName>[\w.\-[\]%]{1,64})=(?<pairValue>\[REDACTED\]|"[^"]*"|'[^']*'|[^&#?|\s"';)}\]]+)`,
    // `Name: value`, as a header line or in text: `Authorization: Bearer …`, `password: …` (not `scheme://`).
    String.raw`(?<colonLead>^|[\s,{(;|])(?<colonName>[\w.-]{1,64}):[ \t]*(?<colonScheme>(?:${BEARER}|${BASIC}|[Tt]oken|[Dd]igest)[ \t]+)?(?<colonValue>(?!\/\/)[^\s,;"'}]+)`,
    // `"name": "value"` (or single-quoted) in JSON or Python text; the value may be cut off.
    String.raw`(?<jsonLead>(?<q>["'])(?<jsonName>[^"'\\]{1,64})\k<q>\s*:\s*(?<q2>["']))(?<jsonValue>(?:[^"'\\]|\\.)*)(?=\k<q2>|$)`,
  ].join('|'),
  'g',
);

/**
 * What every shape above contains. Most strings (paths, names, messages) have none of it, and
 * this one test is 4–7 times cheaper than the full search (43 ns against 196 ns on a path).
 */
const SECRET_HINT = new RegExp(String.raw`[=@:]|eyJ|AIza|sk-|[sr]k_|gh[pousr]_|github_pat_|glpat-|AKIA|xox|${BEARER}|${BASIC}`);

/** Pair values searched inside pair values, at most: `url=https://a/?next=https://b/?token=…` is 2. */
const MAX_DEPTH = 3;

/** Strings shorter than this hold none of the shapes above as a secret worth the name. */
const MIN_LENGTH = 8;

/** A quoted value keeps its quotes around the mark: `password="[REDACTED]"`. */
const redactValue = (value: string): string => (/^(["']).*\1$/s.test(value) ? `${value[0]}${REDACTED}${value[0]}` : REDACTED);

/** Looks like a random token rather than a word: a digit, or upper and lower case mixed. */
const looksRandom = (value: string): boolean => /\d/.test(value) || (/[a-z]/.test(value) && /[A-Z]/.test(value));

/** The body of an `sk-` key has digits and both cases (`sk-ii-facial-essence-230ml` is a product, not a key). */
const looksLikeKey = (value: string): boolean => /\d/.test(value) && /[a-z]/.test(value) && /[A-Z]/.test(value);

/**
 * Finds secrets *inside* string values, where a key-based rule cannot see them, and replaces
 * each with `"[REDACTED]"`: JWTs, provider API keys (`AIza…`, `sk-…`, `sk_live_…`, `ghp_…`,
 * `glpat-…`, `AKIA…`, `xoxb-…`), `Bearer`/`Basic` credentials, the password of a
 * `scheme://user:password@` URL, and the value of a `name=value`, `Name: value` or
 * `"name": "value"` pair whose name is a secret key (or, in a URL's query or fragment, a
 * credential parameter such as `?key=` and `?sig=`). What surrounds a secret is kept, and
 * the value of a pair that is not secret is searched in turn (`url=https://…?token=…`).
 */
export class SecretScrubber {
  constructor(private readonly keys: SecretKeys) {}

  /**
   * The string with every secret found in it replaced; the same string when there is none.
   * `depth`: how many pair values this one is nested in (`a=b:c=…`); past `MAX_DEPTH` a
   * value that is not secret is kept as it is, so nesting never costs more than a few passes.
   */
  scrub(value: string, depth = 0): string {
    if (value.length < MIN_LENGTH || !SECRET_HINT.test(value)) return value;
    const inner = (text: string): string => (depth < MAX_DEPTH ? this.scrub(text, depth + 1) : text);
    return value.replace(SECRET_SHAPES, (match: string, ...args: unknown[]) => {
      const g = args[args.length - 1] as Record<string, string | undefined>;
      if (g.jwt !== undefined) return REDACTED;
      if (g.apiKey !== undefined) return !g.apiKey.startsWith('sk-') || looksLikeKey(g.apiKey.slice(3)) ? REDACTED : match;
      if (g.scheme !== undefined) return this.credential(match, g.scheme, g.credential!);
      if (g.userinfo !== undefined) return g.userinfo + REDACTED;
      if (g.pairName !== undefined) {
        const head = `${g.pairLead}${g.pairName}=`;
        return this.isSecretPair(g.pairName, g.pairLead!) ? head + redactValue(g.pairValue!) : head + inner(g.pairValue!);
      }
      if (g.colonName !== undefined) {
        const value = (g.colonScheme ?? '') + g.colonValue!;
        const head = match.slice(0, match.length - value.length);
        return this.keys.isSecret(g.colonName) ? head + (g.colonScheme ?? '') + REDACTED : head + inner(value);
      }
      if (g.jsonName !== undefined) {
        return this.keys.isSecret(g.jsonName) ? g.jsonLead + REDACTED : g.jsonLead + inner(g.jsonValue!);
      }
      return match;
    });
  }

  /**
   * `Bearer x` when `x` looks like a token (so "Bearer authorization-header" stays); `Basic x`
   * only when `x` decodes to `user:password` (so "Basic plan" stays).
   */
  private credential(match: string, scheme: string, credential: string): string {
    if (/^[Bb][Ee]/.test(scheme)) return looksRandom(credential) ? scheme + REDACTED : match;
    const decoded = Buffer.from(credential, 'base64').toString('utf8');
    // Control characters or U+FFFD: the bytes were not text, so this was no `user:password`.
    // eslint-disable-next-line no-control-regex
    return decoded.includes(':') && !/[\u0000-\u001f\u007f\ufffd]/.test(decoded) ? scheme + REDACTED : match;
  }

  /** In a URL's query, fragment or path parameters, `key`, `sig` and `jsessionid` are credentials too; in text, only secret keys are. */
  private isSecretPair(name: string, lead: string): boolean {
    const key = decodeName(name);
    return lead === '?' || lead === '&' || lead === '#' || lead === ';' ? this.keys.isSecretUrlParam(key) : this.keys.isSecret(key);
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

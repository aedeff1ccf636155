/*
 * Built-in model prices: each provider's standard (non-batch, non-priority) LIST prices in
 * US dollars per 1M tokens, as of the `asOf` date on each entry. Prices change and
 * contracts differ: set the module's `pricing` option to add models or override these.
 *
 * Not modelled: Gemini and Claude long-context tiers (prompts over 200k tokens cost more on
 * gemini-2.5-pro and gemini-3-pro, whose entries are the ≤200k tier), audio-input rates,
 * Anthropic cache-write premiums, and per-call tool fees (search grounding, web search).
 */
import type { ModelPrice } from '../options/analytics-module-options.interface';

/** A list price with the date it was read and the page it was read from. */
export interface DatedModelPrice extends ModelPrice {
  /** ISO date (`YYYY-MM-DD`) on which this was the list price. */
  asOf: string;
  /** The provider's public pricing page. */
  source: string;
}

const GEMINI = 'https://ai.google.dev/gemini-api/docs/pricing';
const OPENAI = 'https://platform.openai.com/docs/pricing';
const ANTHROPIC = 'https://docs.anthropic.com/en/docs/about-claude/pricing';

const price =
  (source: string, asOf: string) =>
  (input: number, output: number, cachedInput?: number): DatedModelPrice =>
    cachedInput === undefined ? { input, output, asOf, source } : { input, output, cachedInput, asOf, source };

const gemini = price(GEMINI, '2025-12-17');
const openai = price(OPENAI, '2025-12-11');
const anthropic = price(ANTHROPIC, '2025-11-24');

/** Built-in list prices, keyed by the provider's model name without a date suffix. */
export const BUILT_IN_PRICES: Readonly<Record<string, DatedModelPrice>> = Object.freeze({
  // Gemini (≤200k-token prompt tier where the page has two; text/image/video input).
  'gemini-3-pro': gemini(2, 12, 0.2),
  'gemini-3-flash': gemini(0.5, 3, 0.05),
  'gemini-2.5-pro': gemini(1.25, 10, 0.125),
  'gemini-2.5-flash': gemini(0.3, 2.5, 0.03),
  'gemini-2.5-flash-lite': gemini(0.1, 0.4, 0.01),
  'gemini-2.0-flash': gemini(0.1, 0.4, 0.025),
  'gemini-2.0-flash-lite': gemini(0.075, 0.3),

  // OpenAI
  'gpt-5.2': openai(1.75, 14, 0.175),
  'gpt-5.1': openai(1.25, 10, 0.125),
  'gpt-5': openai(1.25, 10, 0.125),
  'gpt-5-mini': openai(0.25, 2, 0.025),
  'gpt-5-nano': openai(0.05, 0.4, 0.005),
  'gpt-5-pro': openai(15, 120),
  'gpt-4.1': openai(2, 8, 0.5),
  'gpt-4.1-mini': openai(0.4, 1.6, 0.1),
  'gpt-4.1-nano': openai(0.1, 0.4, 0.025),
  'gpt-4o': openai(2.5, 10, 1.25),
  // The first gpt-4o snapshot kept its launch price; the dated name resolves here before `gpt-4o`.
  'gpt-4o-2024-05-13': openai(5, 15),
  'gpt-4o-mini': openai(0.15, 0.6, 0.075),
  o3: openai(2, 8, 0.5),
  'o3-pro': openai(20, 80),
  'o3-mini': openai(1.1, 4.4, 0.55),
  'o4-mini': openai(1.1, 4.4, 0.275),
  o1: openai(15, 60, 7.5),

  // Anthropic (≤200k-token prompts); cache reads ("cache hits") are 0.1× input, to the cent.
  'claude-opus-4-5': anthropic(5, 25, 0.5),
  'claude-opus-4-1': anthropic(15, 75, 1.5),
  'claude-opus-4': anthropic(15, 75, 1.5),
  'claude-sonnet-4-5': anthropic(3, 15, 0.3),
  'claude-sonnet-4': anthropic(3, 15, 0.3),
  'claude-haiku-4-5': anthropic(1, 5, 0.1),
  'claude-3-7-sonnet': anthropic(3, 15, 0.3),
  'claude-3-5-sonnet': anthropic(3, 15, 0.3),
  'claude-3-5-haiku': anthropic(0.8, 4, 0.08),
  'claude-3-haiku': anthropic(0.25, 1.25, 0.03),
  'claude-3-opus': anthropic(15, 75, 1.5),
});

/**
 * Snapshot and release suffixes, tried in order and stripped until none matches:
 * `claude-3-5-haiku@20241022` (Vertex AI), `anthropic.claude-sonnet-4-5-20250929-v1:0`
 * (Bedrock), `gemini-2.5-flash-preview-05-20`, `gpt-4o-2024-08-06`,
 * `claude-sonnet-4-20250514`, `gemini-2.0-flash-001`, `gpt-4-0613`,
 * `claude-3-7-sonnet-latest`, and the `.0` of `claude-sonnet-4-0` (Anthropic's alias of 4).
 */
const SUFFIXES = [
  /@[^@]*$/,
  /-v\d+(?::\d+)?$/,
  /-(?:preview|exp)(?:-\d{2}-\d{2,4})?$/,
  /-\d{4}-\d{2}-\d{2}$/,
  /-\d{8}$/,
  /-\d{3,4}$/,
  /-latest$/,
  /(?<=^claude-[a-z]+-\d)-0$/,
];

/** A provider or region prefix with dots: `anthropic.`, `us.anthropic.`, `global.anthropic.` (Bedrock). */
const DOTTED_PREFIX = /^(?:[a-z]+\.)+/;

/**
 * Words that, after a known name, mean a different product with a different price
 * (`gpt-4o-mini-tts`, `gemini-2.5-flash-native-audio`, `o4-mini-deep-research`, `gpt-5.2-pro`).
 */
const OTHER_PRODUCT = new Set(['mini', 'nano', 'lite', 'pro', 'audio', 'realtime', 'transcribe', 'tts', 'image', 'live', 'research']);

/**
 * `models/gemini-2.5-flash-001` → `gemini-2.5-flash`; `openai/gpt-4o-2024-08-06` → `gpt-4o`;
 * `us.anthropic.claude-3-5-haiku-20241022-v1:0` → `claude-3-5-haiku`.
 */
function normalise(model: string): string {
  let name = model.trim().toLowerCase();
  name = name.slice(name.lastIndexOf('/') + 1).replace(DOTTED_PREFIX, '');
  for (let stripped = true; stripped; ) {
    stripped = false;
    for (const suffix of SUFFIXES) {
      if (suffix.test(name)) {
        name = name.replace(suffix, '');
        stripped = true;
        break;
      }
    }
  }
  return name;
}

/**
 * `key` names the same priced product as `name`: `name` is `key` plus `-`-separated
 * qualifiers that do not change the price. A short number right after the key is a newer
 * version (`claude-opus-4-6` is not `claude-opus-4`), so it never matches.
 */
function isVariantOf(name: string, key: string): boolean {
  if (!name.startsWith(`${key}-`)) return false;
  const rest = name.slice(key.length + 1).split('-');
  return !/^\d{1,2}$/.test(rest[0]) && !rest.some((word) => OTHER_PRODUCT.has(word));
}

const lookup = (tables: Array<Record<string, ModelPrice>>, name: string): ModelPrice | undefined =>
  tables.find((t) => Object.hasOwn(t, name))?.[name];

/**
 * The price of `model`: the `pricing` overrides first, then {@link BUILT_IN_PRICES}, at each
 * step: the exact name; the normalised name (lower case, without a `models/`-style path or
 * a date/version/preview suffix); then the longest known name that `model` extends on a `-`
 * boundary (`gpt-4o-mini-search` → `gpt-4o-mini`, not `gpt-4o`). `undefined` when unknown,
 * so the cost is stored as `NULL`, never guessed.
 *
 * @example resolvePrice('gpt-4o-2024-08-06', {}) // BUILT_IN_PRICES['gpt-4o']
 * @example resolvePrice('gpt-4o', { 'gpt-4o': { input: 2, output: 8 } }) // { input: 2, output: 8 }
 */
export function resolvePrice(model: string | undefined, overrides: Record<string, ModelPrice> = {}): ModelPrice | undefined {
  if (typeof model !== 'string' || model.trim() === '') return undefined;
  const tables = [overrides ?? {}, BUILT_IN_PRICES];
  const name = normalise(model);
  const exact = lookup(tables, model) ?? lookup(tables, name);
  if (exact) return exact;
  // Longest key across both tables; on equal keys the override, being first, wins.
  let best: string | undefined;
  for (const key of tables.flatMap((t) => Object.keys(t))) {
    if (isVariantOf(name, key) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : lookup(tables, best);
}

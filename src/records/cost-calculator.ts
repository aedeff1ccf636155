import type { ModelPrice } from '../options/analytics-module-options.interface';

/** Token counts of one call; `undefined` means unknown. */
export interface TokenUsage {
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
  reasoningTokens?: number;
}

/**
 * Price per 1M tokens in micro-dollars, as a BigInt: tokens × this is pico-dollars, so
 * prices with more than three decimals ($0.01875) stay exact and large sums never overflow.
 */
const microPerMillion = (usdPerMillion: number) => BigInt(Math.round(usdPerMillion * 1_000_000));
const tokens = (n: number) => BigInt(Math.round(n));
/** A usable token count: finite (BigInt() throws on NaN) and never negative. */
const isCount = (n: number | undefined): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;

/**
 * Cost in US dollars as a decimal string with six places (exact, no float drift), or
 * `null` when the price or the usage is unknown.
 *
 * Cached input tokens are part of `inputTokens` (as Gemini, OpenAI and Anthropic report
 * them) and are billed at the cached price, never twice. Reasoning tokens are billed as
 * output and must already be included in `outputTokens`.
 */
export function estimateCostUsd(price: ModelPrice | undefined, usage: TokenUsage): string | null {
  if (!price || !isCount(usage.inputTokens) || !isCount(usage.outputTokens)) return null;
  const cached = isCount(usage.cachedInputTokens) ? Math.min(usage.cachedInputTokens, usage.inputTokens) : 0;
  const picoDollars =
    tokens(usage.inputTokens - cached) * microPerMillion(price.input) +
    tokens(cached) * microPerMillion(price.cachedInput ?? price.input) +
    tokens(usage.outputTokens) * microPerMillion(price.output);
  // Round half up to whole micro-dollars.
  return formatMicroDollars(Number((picoDollars + 500_000n) / 1_000_000n));
}

/** `1234567` micro-dollars → `'1.234567'`. */
export function formatMicroDollars(micro: number): string {
  const sign = micro < 0 ? '-' : '';
  const abs = Math.abs(micro);
  return `${sign}${Math.floor(abs / 1_000_000)}.${String(abs % 1_000_000).padStart(6, '0')}`;
}

/** A user-given cost in dollars, rounded to six places. */
export function roundUsd(value: number): string {
  return formatMicroDollars(Math.round(value * 1_000_000));
}

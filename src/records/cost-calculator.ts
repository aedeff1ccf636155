import type { ModelPrice } from '../options/analytics-module-options.interface';

/** Token counts of one call; `undefined` means unknown. */
export interface TokenUsage {
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
  reasoningTokens?: number;
}

/** Price per 1M tokens in nano-dollars per token: integers, so sums are exact. */
const nano = (usdPerMillion: number) => Math.round(usdPerMillion * 1000);

/**
 * Cost in US dollars as a decimal string with six places (exact, no float drift), or
 * `null` when the price or the usage is unknown.
 *
 * Cached input tokens are part of `inputTokens` (as Gemini, OpenAI and Anthropic report
 * them) and are billed at the cached price, never twice. Reasoning tokens are billed as
 * output and must already be included in `outputTokens`.
 */
export function estimateCostUsd(price: ModelPrice | undefined, usage: TokenUsage): string | null {
  if (!price || usage.inputTokens == null || usage.outputTokens == null) return null;
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const nanoDollars =
    (usage.inputTokens - cached) * nano(price.input) +
    cached * nano(price.cachedInput ?? price.input) +
    usage.outputTokens * nano(price.output);
  return formatMicroDollars(Math.round(nanoDollars / 1000));
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

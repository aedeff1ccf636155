import type { TokenUsage } from './cost-calculator';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A usable token count, or `undefined` for anything else (missing, negative, NaN, a string). */
export const usableCount = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/**
 * A term of a sum: absent (`undefined`/`null`) adds 0, but a present, unusable value makes
 * the whole sum unknown rather than silently too small.
 */
const term = (v: unknown): number | undefined => (v === undefined || v === null ? 0 : usableCount(v));

const sum = (...parts: Array<number | undefined>): number | undefined =>
  parts.some((p) => p === undefined) ? undefined : parts.reduce<number>((a, p) => a + (p as number), 0);

/** Drops unknown fields; `undefined` when neither input nor output is known. */
function usage(u: TokenUsage): TokenUsage | undefined {
  if (u.inputTokens === undefined && u.outputTokens === undefined) return undefined;
  return Object.fromEntries(Object.entries(u).filter(([, v]) => v !== undefined)) as TokenUsage;
}

/**
 * Gemini `usageMetadata`. `promptTokenCount` already includes `cachedContentTokenCount`;
 * thinking tokens are billed as output. Gemini's JSON omits zero counts, so an absent
 * `candidatesTokenCount` is recovered from `totalTokenCount` rather than guessed, and an
 * absent cached (thinking) count is 0 once the input (output) count is known, as OpenAI's is.
 */
function fromGemini(m: Json): TokenUsage | undefined {
  const prompt = usableCount(m.promptTokenCount);
  const inputTokens = prompt === undefined ? undefined : sum(prompt, term(m.toolUsePromptTokenCount));
  let outputTokens = sum(usableCount(m.candidatesTokenCount), term(m.thoughtsTokenCount));
  const total = usableCount(m.totalTokenCount);
  if (m.candidatesTokenCount == null && inputTokens !== undefined && total !== undefined && total >= inputTokens) {
    outputTokens = total - inputTokens;
  }
  return usage({
    inputTokens,
    outputTokens,
    cachedInputTokens: prompt === undefined ? usableCount(m.cachedContentTokenCount) : term(m.cachedContentTokenCount),
    reasoningTokens: outputTokens === undefined ? usableCount(m.thoughtsTokenCount) : term(m.thoughtsTokenCount),
  });
}

/** OpenAI Chat Completions: `completion_tokens` already includes reasoning tokens. */
function fromOpenAiChat(u: Json): TokenUsage | undefined {
  const prompt = isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
  const completion = isObject(u.completion_tokens_details) ? u.completion_tokens_details : {};
  return usage({
    inputTokens: usableCount(u.prompt_tokens),
    outputTokens: usableCount(u.completion_tokens),
    cachedInputTokens: usableCount(prompt.cached_tokens),
    reasoningTokens: usableCount(completion.reasoning_tokens),
  });
}

/** OpenAI Responses API: `input_tokens` includes cached, `output_tokens` includes reasoning. */
function fromOpenAiResponses(u: Json): TokenUsage | undefined {
  const input = isObject(u.input_tokens_details) ? u.input_tokens_details : {};
  const output = isObject(u.output_tokens_details) ? u.output_tokens_details : {};
  return usage({
    inputTokens: usableCount(u.input_tokens),
    outputTokens: usableCount(u.output_tokens),
    cachedInputTokens: usableCount(input.cached_tokens),
    reasoningTokens: usableCount(output.reasoning_tokens),
  });
}

/**
 * Anthropic Messages: `input_tokens` excludes cache reads and cache writes, so both are
 * added back to follow the "input includes cached" convention of `estimateCostUsd`.
 * Cache writes are then billed at the plain input price, which under-counts their 1.25×
 * (5 min) or 2× (1 h) premium; Anthropic does not report thinking tokens separately.
 */
function fromAnthropic(u: Json): TokenUsage | undefined {
  const base = usableCount(u.input_tokens);
  return usage({
    inputTokens: base === undefined ? undefined : sum(base, term(u.cache_read_input_tokens), term(u.cache_creation_input_tokens)),
    outputTokens: usableCount(u.output_tokens),
    cachedInputTokens: usableCount(u.cache_read_input_tokens),
  });
}

/** Both Anthropic and OpenAI Responses report `usage.input_tokens`; tell them apart. */
function isAnthropic(result: Json, u: Json): boolean {
  if ('input_tokens_details' in u || 'output_tokens_details' in u || result.object === 'response') return false;
  return 'cache_read_input_tokens' in u || 'cache_creation_input_tokens' in u || result.type === 'message';
}

function fromObject(result: Json): TokenUsage | undefined {
  if (isObject(result.usageMetadata)) return fromGemini(result.usageMetadata);
  const u = result.usage;
  if (!isObject(u)) return undefined;
  if ('prompt_tokens' in u || 'completion_tokens' in u) return fromOpenAiChat(u);
  if ('input_tokens' in u || 'output_tokens' in u) return isAnthropic(result, u) ? fromAnthropic(u) : fromOpenAiResponses(u);
  return undefined;
}

/**
 * The result itself, then the object under `response` (legacy Gemini SDK, OpenAI stream
 * events), then the one under `data` (OpenAI's `.withResponse()` gives `{ data, response }`).
 */
function candidates(result: unknown): Json[] {
  if (!isObject(result)) return [];
  const found = [result];
  if (isObject(result.response)) found.push(result.response);
  if (isObject(result.data)) found.push(result.data);
  return found;
}

/**
 * Token usage read from a Gemini, OpenAI (Chat Completions or Responses) or Anthropic
 * response, normalised so that `inputTokens` includes cached input and `outputTokens`
 * includes thinking/reasoning tokens (the convention `estimateCostUsd` bills by).
 *
 * Returns `undefined` for shapes it does not know, never zeros; a count that is missing
 * or unusable (negative, non-finite, not a number) is left `undefined`. Never throws.
 *
 * @example
 * extractUsage({ usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, thoughtsTokenCount: 20 } })
 * // { inputTokens: 10, outputTokens: 25, reasoningTokens: 20 }
 */
export function extractUsage(result: unknown): TokenUsage | undefined {
  try {
    for (const candidate of candidates(result)) {
      const found = fromObject(candidate);
      if (found) return found;
    }
  } catch {
    // A throwing getter or proxy on a third-party result is not worth failing the call over.
  }
  return undefined;
}

/**
 * The model name a provider response reports: `model` (OpenAI, Anthropic) or
 * `modelVersion` (Gemini), at the top level or under `response`. Never throws.
 *
 * @example extractModel({ model: 'gpt-4o-2024-08-06', usage: {} }) // 'gpt-4o-2024-08-06'
 */
export function extractModel(result: unknown): string | undefined {
  try {
    for (const candidate of candidates(result)) {
      for (const value of [candidate.model, candidate.modelVersion]) {
        if (typeof value === 'string' && value.trim() !== '') return value.trim();
      }
    }
  } catch {
    // As in extractUsage.
  }
  return undefined;
}

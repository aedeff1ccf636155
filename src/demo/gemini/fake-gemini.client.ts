import { Injectable } from '@nestjs/common';
import { TrackExternal } from '../../index';
import type { GenerateContentRequest, GenerateContentResponse } from './gemini.types';

/** Roughly what Gemini's tokenizer gives for English text. */
const CHARS_PER_TOKEN = 4;
const SUMMARY_WORDS = 24;

const tokens = (text: string) => Math.max(1, Math.ceil(text.length / CHARS_PER_TOKEN));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Shaped like `@google/genai`'s `ApiError`: the HTTP status is on `status`. */
export class GeminiApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'GeminiApiError';
  }
}

/**
 * Stands in for `@google/genai` without touching the network: the same request gives the
 * same response and token counts every time, so the demo's analytics rows are predictable.
 * The answer is the first words of the prompt's last paragraph; a last paragraph of `fail`
 * gets a 429, as a rate-limited Gemini would.
 *
 * `@TrackExternal` writes one `external_api_call_logs` row per call, success or failure:
 * tokens are read from `usageMetadata` and priced by `modelVersion` from the price table.
 */
@Injectable()
export class FakeGeminiClient {
  @TrackExternal('gemini', { endpoint: 'models.generateContent' })
  async generateContent({ model, prompt }: GenerateContentRequest): Promise<GenerateContentResponse> {
    // A latency that depends only on the prompt, so response_time_ms is not always ~0.
    await sleep(20 + (prompt.length % 80));
    const lastParagraph = prompt.trim().split(/\n\s*\n/).pop() ?? '';
    if (lastParagraph === 'fail') throw new GeminiApiError('Resource has been exhausted (e.g. check quota).', 429);
    const words = lastParagraph.split(/\s+/).filter(Boolean);
    const text = words.slice(0, SUMMARY_WORDS).join(' ') + (words.length > SUMMARY_WORDS ? ' …' : '');

    const promptTokenCount = tokens(prompt);
    const candidatesTokenCount = tokens(text);
    const thoughtsTokenCount = Math.ceil(promptTokenCount / 2);
    return {
      candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP' }],
      usageMetadata: {
        promptTokenCount,
        candidatesTokenCount,
        thoughtsTokenCount,
        totalTokenCount: promptTokenCount + candidatesTokenCount + thoughtsTokenCount,
      },
      // A real model name, so the price table can estimate the cost.
      modelVersion: model,
    };
  }
}

import { Injectable } from '@nestjs/common';
import type { GenerateContentRequest, GenerateContentResponse } from './gemini.types';

/** Roughly what Gemini's tokenizer gives for English text. */
const CHARS_PER_TOKEN = 4;
const SUMMARY_WORDS = 24;

const tokens = (text: string) => Math.max(1, Math.ceil(text.length / CHARS_PER_TOKEN));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stands in for `@google/genai` without touching the network: the same request gives the
 * same response and token counts every time, so the demo's analytics rows are predictable.
 * The answer is the first words of the prompt's last paragraph.
 */
@Injectable()
export class FakeGeminiClient {
  async generateContent({ model, prompt }: GenerateContentRequest): Promise<GenerateContentResponse> {
    // A latency that depends only on the prompt, so response_time_ms is not always ~0.
    await sleep(20 + (prompt.length % 80));
    const lastParagraph = prompt.trim().split(/\n\s*\n/).pop() ?? '';
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
      modelVersion: `${model}-demo`,
    };
  }
}

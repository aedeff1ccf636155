import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { AuditService } from '../../index';
import { FakeGeminiClient } from '../gemini/fake-gemini.client';
import type { GeminiModel, GeminiUsageMetadata, GenerateContentResponse } from '../gemini/gemini.types';

const DEFAULT_MODEL: GeminiModel = 'gemini-2.5-flash';

export interface SummaryResult {
  summary: string;
  model: string;
  usage: GeminiUsageMetadata;
}

const byteLength = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
const statusOf = (err: unknown) => Number((err as { status?: unknown }).status) || 500;

/** Summarises text with Gemini and records each call in `external_api_call_logs`. */
@Injectable()
export class SummarizeService {
  constructor(
    private readonly gemini: FakeGeminiClient,
    private readonly audit: AuditService,
  ) {}

  async summarize(userId: string, text: string, model: GeminiModel = DEFAULT_MODEL): Promise<SummaryResult> {
    const request = { model, prompt: `Summarize the following text in one sentence.\n\n${text}` };
    const call = { service: 'gemini', model, endpoint: `/v1beta/models/${model}:generateContent`, method: 'POST', userId };
    const started = performance.now();
    let response: GenerateContentResponse;
    try {
      response = await this.gemini.generateContent(request);
    } catch (err) {
      const responseTimeMs = performance.now() - started;
      this.audit.logExternalApiCall({ ...call, responseTimeMs, statusCode: statusOf(err), errorMessage: (err as Error).message });
      throw err;
    }
    const usage = response.usageMetadata;
    const thoughts = usage.thoughtsTokenCount ?? 0;
    this.audit.logExternalApiCall({
      ...call,
      inputTokens: usage.promptTokenCount,
      // Thinking tokens are billed as output.
      outputTokens: usage.candidatesTokenCount + thoughts,
      reasoningTokens: thoughts,
      responseTimeMs: performance.now() - started,
      statusCode: 200,
      requestSizeBytes: byteLength(request),
      responseSizeBytes: byteLength(response),
      metadata: { modelVersion: response.modelVersion },
    });
    return { summary: response.candidates[0]?.content.parts[0]?.text ?? '', model: response.modelVersion, usage };
  }
}

import { BadGatewayException, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { FakeGeminiClient, GeminiApiError } from '../gemini/fake-gemini.client';
import type { GeminiModel, GeminiUsageMetadata } from '../gemini/gemini.types';

const DEFAULT_MODEL: GeminiModel = 'gemini-2.5-flash';

export interface SummaryResult {
  summary: string;
  model: string;
  usage: GeminiUsageMetadata;
}

/**
 * Summarises text with Gemini. Nothing to record here: the client's `@TrackExternal`
 * logs every call, with the user and request id of the request being served.
 */
@Injectable()
export class SummarizeService {
  constructor(private readonly gemini: FakeGeminiClient) {}

  async summarize(text: string, model: GeminiModel = DEFAULT_MODEL): Promise<SummaryResult> {
    const prompt = `Summarize the following text in one sentence.\n\n${text}`;
    try {
      const response = await this.gemini.generateContent({ model, prompt });
      const summary = response.candidates[0]?.content.parts[0]?.text ?? '';
      return { summary, model: response.modelVersion, usage: response.usageMetadata };
    } catch (err) {
      if (err instanceof GeminiApiError && err.status === HttpStatus.TOO_MANY_REQUESTS) {
        throw new HttpException('The AI service is busy; try again shortly.', HttpStatus.TOO_MANY_REQUESTS, { cause: err });
      }
      throw new BadGatewayException('The AI service failed.', { cause: err });
    }
  }
}

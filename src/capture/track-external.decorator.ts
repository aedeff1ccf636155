import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { AnalyticsCallInterceptor } from './analytics-call.interceptor';
import { TRACK_EXTERNAL_METADATA, TrackExternalMetadata, TrackExternalOptions } from './analytics.metadata';

/**
 * Records one `external_api_call_logs` row per call of the decorated provider method:
 * latency, status, sizes, and for LLM responses the tokens (Gemini, OpenAI, Anthropic
 * shapes are read automatically) and the estimated cost. Errors are recorded and
 * rethrown unchanged.
 *
 * @example
 * @TrackExternal('gemini', { endpoint: 'generateContent' })
 * generate(req: GenerateContentParameters) { return this.ai.models.generateContent(req); }
 */
export const TrackExternal = (service: string, options: TrackExternalOptions = {}): MethodDecorator =>
  applyDecorators(
    SetMetadata<string, TrackExternalMetadata>(TRACK_EXTERNAL_METADATA, { service, options }),
    UseInterceptors(AnalyticsCallInterceptor),
  );

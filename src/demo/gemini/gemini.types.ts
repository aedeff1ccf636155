/** The subset of the Gemini `generateContent` API the demo uses. */
export interface GenerateContentRequest {
  model: string;
  prompt: string;
}

export interface GeminiUsageMetadata {
  promptTokenCount: number;
  candidatesTokenCount: number;
  /** Thinking tokens: billed as output, not part of `candidatesTokenCount`. */
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  totalTokenCount: number;
}

export interface GenerateContentResponse {
  candidates: Array<{
    content: { role: 'model'; parts: Array<{ text: string }> };
    finishReason: 'STOP' | 'MAX_TOKENS';
  }>;
  usageMetadata: GeminiUsageMetadata;
  modelVersion: string;
}

export const GEMINI_MODELS = ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.0-flash'] as const;
export type GeminiModel = (typeof GEMINI_MODELS)[number];

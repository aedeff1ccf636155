import { readFileSync } from 'fs';
import { join } from 'path';
import { extractModel, extractUsage } from './usage-extractor';

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '__fixtures__', `${name}.json`), 'utf8'));

describe('extractUsage', () => {
  describe('Gemini', () => {
    it('bills thinking tokens as output and keeps cached tokens inside the prompt count', () => {
      // 1843 prompt (1024 of them cached), 412 candidates + 1277 thoughts = 1689 output.
      expect(extractUsage(fixture('gemini-2.5-flash-thinking'))).toEqual({
        inputTokens: 1843,
        outputTokens: 1689,
        cachedInputTokens: 1024,
        reasoningTokens: 1277,
      });
    });

    it('reads usageMetadata under `response` (legacy @google/generative-ai result)', () => {
      expect(extractUsage(fixture('gemini-legacy-sdk'))).toEqual({ inputTokens: 356, outputTokens: 27, cachedInputTokens: 0, reasoningTokens: 0 });
    });

    it('counts tool-use prompt tokens as input', () => {
      const result = { usageMetadata: { promptTokenCount: 100, toolUsePromptTokenCount: 900, candidatesTokenCount: 50, totalTokenCount: 1050 } };
      expect(extractUsage(result)).toEqual({ inputTokens: 1000, outputTokens: 50, cachedInputTokens: 0, reasoningTokens: 0 });
    });

    it('recovers an omitted candidatesTokenCount from totalTokenCount', () => {
      // Gemini's JSON leaves out zero counts, e.g. when the answer was blocked after thinking.
      const result = { usageMetadata: { promptTokenCount: 40, thoughtsTokenCount: 300, totalTokenCount: 340 } };
      expect(extractUsage(result)).toEqual({ inputTokens: 40, outputTokens: 300, cachedInputTokens: 0, reasoningTokens: 300 });
    });

    it('leaves the output unknown when neither candidates nor total are given', () => {
      expect(extractUsage({ usageMetadata: { promptTokenCount: 40 } })).toEqual({ inputTokens: 40, cachedInputTokens: 0 });
    });

    it('makes a sum unknown when one of its present terms is unusable', () => {
      const result = { usageMetadata: { promptTokenCount: 40, toolUsePromptTokenCount: -1, candidatesTokenCount: 5, thoughtsTokenCount: 'x' } };
      expect(extractUsage(result)).toBeUndefined();
    });
  });

  describe('OpenAI', () => {
    it('reads Chat Completions without adding reasoning tokens to completion tokens twice', () => {
      expect(extractUsage(fixture('openai-chat'))).toEqual({
        inputTokens: 1117,
        outputTokens: 512,
        cachedInputTokens: 1024,
        reasoningTokens: 384,
      });
    });

    it("reads the data of OpenAI's `.withResponse()` ({ data, response })", () => {
      const withResponse = { data: fixture('openai-chat'), response: { status: 200, headers: {} }, request_id: 'req_1' };
      expect(extractUsage(withResponse)).toMatchObject({ inputTokens: 1117, outputTokens: 512 });
      expect(extractModel(withResponse)).toBe((fixture('openai-chat') as { model: string }).model);
    });

    it('reads the Responses API', () => {
      expect(extractUsage(fixture('openai-responses'))).toEqual({
        inputTokens: 2240,
        outputTokens: 679,
        cachedInputTokens: 1920,
        reasoningTokens: 512,
      });
    });

    it('reads the response inside a `response.completed` stream event', () => {
      const event = { type: 'response.completed', sequence_number: 9, response: fixture('openai-responses') };
      expect(extractUsage(event)?.outputTokens).toBe(679);
    });

    it('tells Responses usage from Anthropic usage by its details and `object`', () => {
      const result = { object: 'response', usage: { input_tokens: 10, output_tokens: 2, input_tokens_details: { cached_tokens: 0 } } };
      expect(extractUsage(result)).toEqual({ inputTokens: 10, outputTokens: 2, cachedInputTokens: 0 });
    });
  });

  describe('Anthropic', () => {
    it('reads a plain message', () => {
      expect(extractUsage(fixture('anthropic-message'))).toEqual({ inputTokens: 14, outputTokens: 10, cachedInputTokens: 0 });
    });

    it('adds cache reads and writes back into input and reports reads as cached', () => {
      // input_tokens 21 excludes both: 21 + 188 written + 2048 read = 2257.
      expect(extractUsage(fixture('anthropic-cache'))).toEqual({ inputTokens: 2257, outputTokens: 393, cachedInputTokens: 2048 });
    });

    it('is recognised by its cache fields alone', () => {
      expect(extractUsage({ usage: { input_tokens: 5, cache_read_input_tokens: 100, output_tokens: 1 } })).toEqual({
        inputTokens: 105,
        outputTokens: 1,
        cachedInputTokens: 100,
      });
    });

    it('treats null cache fields as absent', () => {
      const result = { type: 'message', usage: { input_tokens: 5, cache_read_input_tokens: null, cache_creation_input_tokens: null, output_tokens: 1 } };
      expect(extractUsage(result)).toEqual({ inputTokens: 5, outputTokens: 1 });
    });

    it('leaves input unknown when a cache count is unusable', () => {
      const result = { type: 'message', usage: { input_tokens: 5, cache_read_input_tokens: -3, output_tokens: 1 } };
      expect(extractUsage(result)).toEqual({ outputTokens: 1 });
    });
  });

  describe('unknown or malformed input', () => {
    it.each([
      ['undefined', undefined],
      ['null', null],
      ['a string', 'hello'],
      ['a number', 42],
      ['an array', [{ usage: { prompt_tokens: 1, completion_tokens: 1 } }]],
      ['an object without usage', { id: 'x', choices: [] }],
      ['usage that is not an object', { usage: 12 }],
      ['usage with unrelated fields', { usage: { total: 10 } }],
      ['usageMetadata that is an array', { usageMetadata: [1, 2] }],
      ['OpenAI usage of null (streamed without include_usage)', { object: 'chat.completion', usage: null }],
      ['counts that are strings', { usage: { prompt_tokens: '10', completion_tokens: '2' } }],
      ['negative counts', { usage: { prompt_tokens: -10, completion_tokens: -2 } }],
      ['non-finite counts', { usage: { input_tokens: Infinity, output_tokens: NaN } }],
    ])('returns undefined, not zeros, for %s', (_label, input) => {
      expect(extractUsage(input)).toBeUndefined();
    });

    it('keeps the usable half of a half-broken usage', () => {
      expect(extractUsage({ usage: { prompt_tokens: 10, completion_tokens: -1 } })).toEqual({ inputTokens: 10 });
    });

    it('leaves a missing output count undefined', () => {
      expect(extractUsage({ usage: { prompt_tokens: 10 } })).toEqual({ inputTokens: 10 });
    });

    it('never throws, even on a throwing getter', () => {
      const hostile = {
        get usageMetadata(): unknown {
          throw new Error('boom');
        },
      };
      expect(() => extractUsage(hostile)).not.toThrow();
      expect(extractUsage(hostile)).toBeUndefined();
      expect(extractModel(hostile)).toBeUndefined();
    });
  });
});

describe('extractModel', () => {
  it.each([
    ['gemini-2.5-flash-thinking', 'gemini-2.5-flash'],
    ['gemini-legacy-sdk', 'gemini-2.0-flash-001'],
    ['openai-chat', 'o4-mini-2025-04-16'],
    ['openai-responses', 'gpt-5-mini-2025-08-07'],
    ['anthropic-message', 'claude-sonnet-4-20250514'],
    ['anthropic-cache', 'claude-sonnet-4-5-20250929'],
  ])('reads the model of %s', (name, model) => {
    expect(extractModel(fixture(name))).toBe(model);
  });

  it.each([[undefined], [null], ['gpt-4o'], [{ model: 42 }], [{ model: '  ' }], [{ modelVersion: {} }]])(
    'returns undefined for %p',
    (input) => {
      expect(extractModel(input)).toBeUndefined();
    },
  );
});

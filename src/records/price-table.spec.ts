import { readFileSync } from 'fs';
import { join } from 'path';
import { estimateCostUsd } from './cost-calculator';
import { BUILT_IN_PRICES, resolvePrice } from './price-table';
import { extractModel, extractUsage } from './usage-extractor';

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '__fixtures__', `${name}.json`), 'utf8'));

describe('BUILT_IN_PRICES', () => {
  const entries = Object.entries(BUILT_IN_PRICES);

  it('covers the models the library is documented against', () => {
    const keys = Object.keys(BUILT_IN_PRICES);
    for (const model of ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-2.0-flash', 'gemini-2.0-flash-lite']) {
      expect(keys).toContain(model);
    }
    for (const model of ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'o3', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'gpt-5-nano']) {
      expect(keys).toContain(model);
    }
    for (const model of ['claude-opus-4', 'claude-opus-4-1', 'claude-sonnet-4', 'claude-sonnet-4-5', 'claude-3-7-sonnet', 'claude-3-5-haiku', 'claude-haiku-4-5']) {
      expect(keys).toContain(model);
    }
  });

  it.each(entries)('%s has finite, non-negative prices, a real asOf date and a source', (_model, price) => {
    for (const value of [price.input, price.output, ...(price.cachedInput === undefined ? [] : [price.cachedInput])]) {
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(0);
    }
    expect(price.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(new Date(`${price.asOf}T00:00:00Z`).toISOString().slice(0, 10)).toBe(price.asOf);
    expect(price.asOf >= '2025-01-01').toBe(true);
    expect(price.source).toMatch(/^https:\/\/\S+$/);
  });

  it.each(entries)('%s never prices cached input above fresh input', (_model, price) => {
    if (price.cachedInput !== undefined) expect(price.cachedInput).toBeLessThanOrEqual(price.input);
  });

  it.each(entries.filter(([model]) => model.startsWith('claude-')))('%s bills cache reads at 0.1× input, to the cent', (_model, price) => {
    expect(price.cachedInput).toBeCloseTo(Math.round(price.input * 10) / 100, 6);
  });

  it('is frozen, so no caller can change prices for everyone', () => {
    expect(Object.isFrozen(BUILT_IN_PRICES)).toBe(true);
  });
});

describe('resolvePrice', () => {
  const custom = { input: 9, output: 99 };

  it('finds an exact built-in name', () => {
    expect(resolvePrice('gemini-2.5-flash', {})).toBe(BUILT_IN_PRICES['gemini-2.5-flash']);
    expect(resolvePrice('o3', {})).toBe(BUILT_IN_PRICES.o3);
  });

  it('prices the first gpt-4o snapshot at its own, higher list price', () => {
    expect(resolvePrice('gpt-4o-2024-05-13', {})).toMatchObject({ input: 5, output: 15 });
    expect(resolvePrice('gpt-4o-2024-08-06', {})).toBe(BUILT_IN_PRICES['gpt-4o']);
  });

  it.each([
    ['models/gemini-2.5-flash', 'gemini-2.5-flash'],
    ['publishers/google/models/gemini-2.5-pro', 'gemini-2.5-pro'],
    ['openai/gpt-4o', 'gpt-4o'],
    ['gemini-2.5-flash-001', 'gemini-2.5-flash'],
    ['gemini-2.0-flash-001', 'gemini-2.0-flash'],
    ['gemini-2.5-flash-preview-05-20', 'gemini-2.5-flash'],
    ['gemini-2.5-flash-lite-preview-09-2025', 'gemini-2.5-flash-lite'],
    ['gemini-3-pro-preview', 'gemini-3-pro'],
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['gpt-4.1-2025-04-14', 'gpt-4.1'],
    ['gpt-5-mini-2025-08-07', 'gpt-5-mini'],
    ['o4-mini-2025-04-16', 'o4-mini'],
    ['claude-3-5-haiku-20241022', 'claude-3-5-haiku'],
    ['claude-sonnet-4-20250514', 'claude-sonnet-4'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-opus-4-1-20250805', 'claude-opus-4-1'],
    ['claude-3-7-sonnet-latest', 'claude-3-7-sonnet'],
    ['claude-3-5-haiku@20241022', 'claude-3-5-haiku'],
    ['claude-sonnet-4-0', 'claude-sonnet-4'],
    ['claude-opus-4-0', 'claude-opus-4'],
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5'],
    ['us.anthropic.claude-3-5-haiku-20241022-v1:0', 'claude-3-5-haiku'],
    ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'claude-haiku-4-5'],
    ['GPT-4o', 'gpt-4o'],
  ])('normalises %s to %s', (model, key) => {
    expect(resolvePrice(model, {})).toBe(BUILT_IN_PRICES[key]);
  });

  it.each([
    ['gpt-4o-mini-search-preview', 'gpt-4o-mini'],
    ['gpt-5-chat-latest', 'gpt-5'],
    ['gpt-5.1-codex', 'gpt-5.1'],
    ['claude-3-5-sonnet-v2', 'claude-3-5-sonnet'],
  ])('matches %s to the longest known name it extends (%s)', (model, key) => {
    expect(resolvePrice(model, {})).toBe(BUILT_IN_PRICES[key]);
  });

  it.each([
    ['a newer minor version', 'claude-opus-4-6'],
    ['a newer minor version', 'claude-sonnet-4-7-20260101'],
    ['a smaller tier', 'gpt-5.1-codex-mini'],
    ['a smaller tier', 'o1-mini'],
    ['a pro tier', 'gpt-5.2-pro'],
    ['an audio model', 'gpt-4o-mini-tts'],
    ['an audio model', 'gemini-2.5-flash-native-audio-preview-09-2025'],
    ['an image model', 'gemini-2.5-flash-image'],
    ['a realtime model', 'gpt-4o-realtime-preview-2024-12-17'],
    ['a deep-research model', 'o4-mini-deep-research'],
    ['a name that only shares a prefix without a dash', 'gpt-5.3'],
  ])('does not borrow a price for %s (%s)', (_label, model) => {
    expect(resolvePrice(model, {})).toBeUndefined();
  });

  it.each([[undefined], [''], ['   '], ['acme-llm-1'], ['constructor'], ['__proto__'], ['toString']])('returns undefined for %p', (model) => {
    expect(resolvePrice(model, {})).toBeUndefined();
  });

  describe('overrides', () => {
    it('win over the built-in price of the same name', () => {
      expect(resolvePrice('gpt-4o', { 'gpt-4o': custom })).toBe(custom);
    });

    it('win after normalisation', () => {
      expect(resolvePrice('gpt-4o-2024-08-06', { 'gpt-4o': custom })).toBe(custom);
      expect(resolvePrice('models/gemini-2.5-flash-001', { 'gemini-2.5-flash': custom })).toBe(custom);
    });

    it('win on the prefix step when they name the same model', () => {
      expect(resolvePrice('gpt-4o-search-preview', { 'gpt-4o': custom })).toBe(custom);
    });

    it('match the exact, un-normalised name first, so a snapshot can be priced on its own', () => {
      const snapshot = { input: 5, output: 15 };
      const overrides = { 'gpt-4o': custom, 'gpt-4o-2024-05-13': snapshot };
      expect(resolvePrice('gpt-4o-2024-05-13', overrides)).toBe(snapshot);
      expect(resolvePrice('gpt-4o-2024-08-06', overrides)).toBe(custom);
    });

    it('add models the table does not know', () => {
      expect(resolvePrice('acme-llm-1', { 'acme-llm-1': custom })).toBe(custom);
      expect(resolvePrice('acme-llm-1-20260101', { 'acme-llm-1': custom })).toBe(custom);
    });

    it('do not capture a more specific built-in model (longest name wins)', () => {
      // Overriding gpt-4o says nothing about gpt-4o-mini.
      expect(resolvePrice('gpt-4o-mini-search-preview', { 'gpt-4o': custom })).toBe(BUILT_IN_PRICES['gpt-4o-mini']);
    });

    it('are optional', () => {
      expect(resolvePrice('gpt-4o')).toBe(BUILT_IN_PRICES['gpt-4o']);
    });
  });
});

describe('fixture → usage → price → cost', () => {
  it('prices the Gemini 2.5 Flash thinking fixture exactly', () => {
    // gemini-2.5-flash: $0.30 input, $0.03 cached input, $2.50 output per 1M tokens.
    //   (1843 − 1024) uncached × 0.30 = 245.70 µ$
    //   1024 cached           × 0.03 =  30.72 µ$
    //   (412 + 1277) output   × 2.50 = 4222.50 µ$  (thinking billed as output)
    //   total 4498.92 µ$ → $0.004499
    expect(estimateCostUsd(resolvePrice('gemini-2.5-flash', {}), extractUsage(fixture('gemini-2.5-flash-thinking'))!)).toBe('0.004499');
  });

  it.each([
    // gemini-2.0-flash-001 → gemini-2.0-flash: 356 × 0.10 + 27 × 0.40 = 35.6 + 10.8 = 46.4 µ$
    ['gemini-legacy-sdk', '0.000046'],
    // o4-mini: 93 × 1.10 + 1024 × 0.275 + 512 × 4.40 = 102.3 + 281.6 + 2252.8 = 2636.7 µ$
    ['openai-chat', '0.002637'],
    // gpt-5-mini: 320 × 0.25 + 1920 × 0.025 + 679 × 2 = 80 + 48 + 1358 = 1486 µ$
    ['openai-responses', '0.001486'],
    // claude-sonnet-4: 14 × 3 + 10 × 15 = 42 + 150 = 192 µ$
    ['anthropic-message', '0.000192'],
    // claude-sonnet-4-5: (21 + 188) × 3 + 2048 × 0.30 + 393 × 15 = 627 + 614.4 + 5895 = 7136.4 µ$
    // (Anthropic's own bill adds the 1.25× cache-write premium: 188 × 0.75 = 141 µ$ more.)
    ['anthropic-cache', '0.007136'],
  ])('prices %s by the model it reports', (name, expected) => {
    const result = fixture(name);
    expect(estimateCostUsd(resolvePrice(extractModel(result), {}), extractUsage(result)!)).toBe(expected);
  });
});

import { estimateCostUsd, formatMicroDollars, roundUsd } from './cost-calculator';

describe('estimateCostUsd', () => {
  const price = { input: 0.3, output: 2.5, cachedInput: 0.075 };

  it('bills one million input tokens at the input price', () => {
    expect(estimateCostUsd(price, { inputTokens: 1_000_000, outputTokens: 0 })).toBe('0.300000');
  });

  it('adds output tokens at the output price', () => {
    expect(estimateCostUsd(price, { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBe('2.800000');
    expect(estimateCostUsd(price, { inputTokens: 0, outputTokens: 400 })).toBe('0.001000');
  });

  it('bills cached tokens at the cached price and not a second time as input', () => {
    // 600k uncached × $0.30 + 400k cached × $0.075 = $0.18 + $0.03
    expect(estimateCostUsd(price, { inputTokens: 1_000_000, cachedInputTokens: 400_000, outputTokens: 0 })).toBe('0.210000');
  });

  it('bills cached tokens at the input price when the model has no cached price', () => {
    expect(estimateCostUsd({ input: 1, output: 2 }, { inputTokens: 1_000_000, cachedInputTokens: 500_000, outputTokens: 0 })).toBe(
      '1.000000',
    );
  });

  it('never bills more cached tokens than input tokens', () => {
    expect(estimateCostUsd(price, { inputTokens: 1_000, cachedInputTokens: 5_000, outputTokens: 0 })).toBe('0.000075');
  });

  it('does not bill reasoning tokens on top of output tokens', () => {
    expect(estimateCostUsd(price, { inputTokens: 0, outputTokens: 1_000_000, reasoningTokens: 600_000 })).toBe('2.500000');
  });

  it('is exact to six decimals where floating point is not', () => {
    expect(0.1 * 3).not.toBe(0.3);
    expect(estimateCostUsd({ input: 0.1, output: 0.2 }, { inputTokens: 3_000_000, outputTokens: 0 })).toBe('0.300000');
    expect(estimateCostUsd({ input: 1.25, output: 10 }, { inputTokens: 1_234, outputTokens: 567 })).toBe('0.007213');
  });

  it('keeps prices with more than three decimals exact', () => {
    // Gemini context-cache reads were $0.01875 per 1M tokens.
    expect(estimateCostUsd({ input: 0.075, output: 0.3, cachedInput: 0.01875 }, { inputTokens: 1_000_000, cachedInputTokens: 1_000_000, outputTokens: 0 })).toBe(
      '0.018750',
    );
  });

  it('rounds to the nearest micro-dollar', () => {
    expect(estimateCostUsd({ input: 1, output: 1 }, { inputTokens: 1, outputTokens: 0 })).toBe('0.000001');
    expect(estimateCostUsd({ input: 0.4, output: 1 }, { inputTokens: 1, outputTokens: 0 })).toBe('0.000000');
    expect(estimateCostUsd({ input: 0.5, output: 1 }, { inputTokens: 1, outputTokens: 0 })).toBe('0.000001');
  });

  it('stays exact for very large calls', () => {
    expect(estimateCostUsd({ input: 75, output: 150 }, { inputTokens: 2_000_000_000, outputTokens: 1_000_000_000 })).toBe('300000.000000');
  });

  it('returns null, never 0, when usage or price is unknown', () => {
    expect(estimateCostUsd(undefined, { inputTokens: 10, outputTokens: 10 })).toBeNull();
    expect(estimateCostUsd(price, { outputTokens: 10 })).toBeNull();
    expect(estimateCostUsd(price, { inputTokens: 10 })).toBeNull();
    expect(estimateCostUsd(price, {})).toBeNull();
  });

  it('returns null for token counts that are not usable numbers', () => {
    expect(estimateCostUsd(price, { inputTokens: NaN, outputTokens: 10 })).toBeNull();
    expect(estimateCostUsd(price, { inputTokens: 10, outputTokens: Infinity })).toBeNull();
    expect(estimateCostUsd(price, { inputTokens: -10, outputTokens: 10 })).toBeNull();
  });

  it('ignores an unusable cached count', () => {
    expect(estimateCostUsd(price, { inputTokens: 1_000_000, cachedInputTokens: NaN, outputTokens: 0 })).toBe('0.300000');
  });

  it('returns "0.000000" for a known call that used no tokens', () => {
    expect(estimateCostUsd(price, { inputTokens: 0, outputTokens: 0 })).toBe('0.000000');
  });
});

describe('formatMicroDollars', () => {
  it.each([
    [0, '0.000000'],
    [1, '0.000001'],
    [999_999, '0.999999'],
    [1_000_000, '1.000000'],
    [1_234_567, '1.234567'],
    [-1_500_000, '-1.500000'],
    [-5, '-0.000005'],
  ])('formats %i micro-dollars as %s', (micro, expected) => {
    expect(formatMicroDollars(micro)).toBe(expected);
  });
});

describe('roundUsd', () => {
  it.each([
    [0.1 + 0.2, '0.300000'],
    [1.5, '1.500000'],
    [0.0000004, '0.000000'],
    [0.0000006, '0.000001'],
    [12.3456789, '12.345679'],
    [0, '0.000000'],
  ])('rounds %d to %s', (value, expected) => {
    expect(roundUsd(value)).toBe(expected);
  });
});

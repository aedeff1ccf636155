import { optimizingCompilerInstructions, totalInstructions } from './callgrind';

describe('totalInstructions', () => {
  it('reads the totals line of a callgrind output', () => {
    const output = ['# callgrind format', 'version: 1', 'events: Ir', 'summary: 0', '', 'fn=(1) main', '0 40', '', 'totals: 2603933595', ''].join('\n');
    // `summary:` comes first but is 0 when the counts were switched on after the start.
    expect(totalInstructions(output)).toBe(2_603_933_595);
  });

  it('falls back to the summary line', () => {
    expect(totalInstructions('events: Ir\nsummary: 1234\n')).toBe(1234);
  });

  it('says so when the output has no count', () => {
    expect(() => totalInstructions('# callgrind format\n')).toThrow('no totals line in the callgrind output');
  });
});

describe('optimizingCompilerInstructions', () => {
  const output = [
    'events: Ir',
    'fn=(1) Builtins_CEntry',
    '0 10',
    // First call: the name is defined on the cfn= line, the cost follows calls=.
    'cfn=(2) v8::internal::Runtime_CompileOptimized(int, unsigned long*, v8::internal::Isolate*)',
    'calls=2 0 ',
    '0 5000',
    'cfn=(3) v8::internal::Runtime_StringToLowerCaseIntl(int, unsigned long*, v8::internal::Isolate*)',
    'calls=7 0 ',
    '0 700',
    'fn=(4) JS:*handler',
    '+3 20',
    // Later calls refer to the compressed name only, with relative positions.
    'cfn=(2)',
    'calls=1 +1 ',
    '+1 2500',
    'fn=(2)',
    '0 7500',
    // A compile started inside the compiler is already in its caller's inclusive cost.
    'cfn=(2)',
    'calls=1 0 ',
    '0 900',
    '',
    'totals: 8230',
  ].join('\n');

  it('sums the inclusive cost of every call into the optimizing compiler', () => {
    expect(optimizingCompilerInstructions(output)).toBe(7500);
  });

  it('is 0 when nothing was compiled', () => {
    expect(optimizingCompilerInstructions('events: Ir\nfn=(1) main\n0 40\ntotals: 40\n')).toBe(0);
  });
});

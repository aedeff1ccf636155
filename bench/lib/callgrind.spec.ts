import { totalInstructions } from './callgrind';

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

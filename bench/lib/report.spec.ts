import { baselineRun, PhaseSample, renderReport, RoundSample, RunInfo } from './report';

const phase = (rps: number, p99: number): PhaseSample => ({
  rps,
  p50: 1,
  p99,
  sent: rps * 10,
  completed: rps * 10,
  non2xx: 0,
  errors: 0,
  timeouts: 0,
  cpuPerRequestMicros: 100,
  peakRssMb: 150,
});

const run = (variant: string, round: number, rps: number, p99: number, closing = false): RoundSample => ({
  variant,
  round,
  closing,
  phases: { hello: phase(rps, p99), io: phase(rps / 2, p99), 'io-fixed': phase(1000, p99) },
  sentByRoute: {},
  completedByRoute: {},
  persistedByRoute: {},
});

describe('baselineRun', () => {
  it('is the mean of the runs at both ends of the round, phase by phase', () => {
    const base = baselineRun([run('bare', 1, 10_000, 10), run('bare', 1, 8_000, 14, true)])!;
    expect(base.phases.hello).toMatchObject({ rps: 9_000, p99: 12 });
    expect(base.phases['io-fixed']).toMatchObject({ rps: 1000, p99: 12 });
  });

  it('is the one run when the other failed or is missing', () => {
    const only = run('bare', 1, 10_000, 10);
    expect(baselineRun([only])).toBe(only);
    expect(baselineRun([])).toBeUndefined();
  });
});

describe('renderReport', () => {
  const info: RunInfo = {
    machine: { nproc: 2, cpuModel: 'test', memoryGb: 1, kernel: 'k', node: 'v20', packages: {}, commit: 'abc' },
    serverVersions: { postgres: '15', redis: '7' },
    started: new Date(0),
    finished: new Date(1),
    settings: { durationSeconds: 10, rounds: 1, warmupSeconds: 3, connections: 50, fixedRate: 1000, variants: ['bare', 'calibration-finish'] },
  };

  it('compares each variant with the mean of the two bare runs of its round, and lists both runs', () => {
    const report = renderReport(info, [run('bare', 1, 10_000, 10), run('calibration-finish', 1, 8_100, 12), run('bare', 1, 8_000, 14, true)]);
    expect(report).toContain('| calibration-finish | 8,100 | 0.900 |');
    expect(report).toContain('| bare | 10,000, 5,000; 10.00 → 8,000, 4,000; 14.00 |');
  });
});

import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processCpuMicros } from './service-cpu';

describe('processCpuMicros', () => {
  it('counts the CPU of the processes with that name, while they run', async () => {
    // A busy process with a name of its own: /proc names a process after its executable.
    const dir = mkdtempSync(join(tmpdir(), 'service-cpu-'));
    const name = `cpuspec${process.pid % 100_000}`;
    const executable = join(dir, name);
    copyFileSync('/usr/bin/yes', executable);
    expect(processCpuMicros([name])).toBe(0);
    const busy = spawn(executable, [], { stdio: 'ignore' });
    try {
      // 100 ms of CPU is ten of /proc's ticks; the test's timeout is the failure.
      while (processCpuMicros([name]) < 100_000) await sleep(20);
    } finally {
      busy.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is 0 for a name no process has', () => {
    expect(processCpuMicros(['no-such-process'])).toBe(0);
  });
});

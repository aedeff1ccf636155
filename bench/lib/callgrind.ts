import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Instruction counting with valgrind's callgrind: the counts are the same from one run to
 * the next whatever else the machine is doing, so they compare variants on a noisy host
 * where req/s cannot. They leave out the time spent in the kernel (socket reads and
 * writes) and the cost of cache misses.
 */

/** True when `valgrind` and `callgrind_control` can be run here. */
export function callgrindAvailable(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['-h'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The command a measured process runs under: callgrind with instrumentation off until
 * `setInstrumentation(pid, true)`, so that start-up and warm-up are not counted.
 */
export function callgrindLauncher(outFile: string): string[] {
  return ['valgrind', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${outFile}`];
}

/** Switches counting on or off in a running callgrind process. */
export function setInstrumentation(pid: number, on: boolean): void {
  execFileSync('callgrind_control', ['-i', on ? 'on' : 'off', String(pid)], { stdio: 'ignore' });
}

/** Asks a running callgrind process to write what it counted since its last dump (`<out file>.N`), and zero it. */
export function requestDump(pid: number): void {
  execFileSync('callgrind_control', ['-d', String(pid)], { stdio: 'ignore' });
}

/**
 * Asks a running callgrind process to write what it counted so far; resolves with the
 * count once the file (`<out file>.1`) is complete.
 */
export async function dumpInstructions(pid: number, outFile: string, timeoutMs = 60_000): Promise<number> {
  requestDump(pid);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const text = readFileSync(`${outFile}.1`, 'utf8');
      if (/^totals:/m.test(text)) return totalInstructions(text);
    } catch {
      // not written yet
    }
    if (Date.now() >= deadline) throw new Error(`callgrind wrote no counts to ${outFile}.1 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The instructions a callgrind output counted in all: its `totals:` line, else its
 * `summary:` line (which stays 0 when counting was switched on after the start).
 */
export function totalInstructions(callgrindOutput: string): number {
  const match = /^totals:\s*(\d+)/m.exec(callgrindOutput) ?? /^summary:\s*(\d+)/m.exec(callgrindOutput);
  if (!match) throw new Error('no totals line in the callgrind output');
  return Number(match[1]);
}

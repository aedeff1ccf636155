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

/**
 * V8's runtime entries that compile a function with an optimizing tier (TurboFan; Maglev
 * on newer V8). With `--single-threaded` the compile runs on the main thread, inside the
 * counted window.
 */
const OPTIMIZING_COMPILE = /Runtime_(Compile(Optimized|Turbofan|Maglev)|Optimize(Turbofan|Maglev))/;

/**
 * The instructions spent in V8's optimizing compiler: the inclusive cost of every call into
 * it (from the `calls=` lines, whose next line carries the cost of the call). Functions
 * that run once per batch rather than once per request reach the compiler's thresholds
 * later, so a counted window shortly after the warm-up still holds some of their compiles:
 * subtracting this shows the steady state, which a long run approaches.
 */
export function optimizingCompilerInstructions(callgrindOutput: string): number {
  // fn= and cfn= share one table of compressed names: "(id) name" defines, "(id)" refers.
  const names = new Map<string, string>();
  const name = (spec: string): string => {
    const match = /^\((\d+)\)(?: (.*))?$/.exec(spec);
    if (!match) return spec;
    if (match[2] !== undefined) names.set(match[1], match[2]);
    return names.get(match[1]) ?? '';
  };
  let caller = '';
  let callee = '';
  let callCostNext = false;
  let total = 0;
  for (const line of callgrindOutput.split('\n')) {
    if (line.startsWith('fn=')) caller = name(line.slice(3));
    else if (line.startsWith('cfn=')) callee = name(line.slice(4));
    else if (line.startsWith('calls=')) callCostNext = true;
    else if (callCostNext && /^[+\-*\d]/.test(line)) {
      callCostNext = false;
      // A compile the compiler itself triggers is already inside its caller's cost.
      if (OPTIMIZING_COMPILE.test(callee) && !OPTIMIZING_COMPILE.test(caller)) total += Number(line.trim().split(/\s+/)[1] ?? 0);
    }
  }
  return total;
}

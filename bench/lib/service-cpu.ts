import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Process names of the services a variant makes work: PostgreSQL (postmaster and backends) and Redis. */
const SERVICE_NAMES = ['postgres', 'redis-server'];

let tickMicros: number | undefined;

/** µs per clock tick of /proc's CPU times (`getconf CLK_TCK`, 100 almost everywhere). */
function clockTickMicros(): number {
  if (tickMicros === undefined) {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
    tickMicros = 1e6 / (Number.isFinite(ticks) && ticks > 0 ? ticks : 100);
  }
  return tickMicros;
}

/**
 * User+system CPU, in µs, of every PostgreSQL and Redis process on this machine. The
 * difference over a window is what the services spent in it: the writes of a worker, the
 * jobs of a queue. A PostgreSQL backend that exits inside the window takes its CPU with it
 * (the variants keep their pools open).
 */
export function serviceCpuMicros(): number {
  return processCpuMicros(SERVICE_NAMES);
}

/**
 * User+system CPU, in µs, of every process whose name starts with one of `names` (Linux
 * `/proc/<pid>/stat`, all threads of each); NaN where there is no `/proc`.
 */
export function processCpuMicros(names: readonly string[]): number {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return NaN;
  }
  let ticks = 0;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const close = stat.lastIndexOf(')');
    const name = stat.slice(stat.indexOf('(') + 1, close);
    if (!names.some((prefix) => name.startsWith(prefix))) continue;
    // After "pid (comm) ": state is field 3, utime 14 and stime 15.
    const fields = stat.slice(close + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * clockTickMicros();
}

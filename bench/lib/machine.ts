import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGb: number;
  kernel: string;
  node: string;
  packages: Record<string, string>;
  commit: string;
}

const PACKAGES = [
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/platform-fastify',
  '@nestjs/typeorm',
  '@nestjs/bull',
  'typeorm',
  'bull',
  'pg',
  'autocannon',
  'nestjs-pino',
  'pino',
  'pino-http',
];

export function machineInfo(): MachineInfo {
  const root = join(__dirname, '..', '..');
  const packages: Record<string, string> = {
    'nestjs-analytics': readJson(join(root, 'package.json')).version,
  };
  for (const name of PACKAGES) {
    try {
      packages[name] = readJson(join(root, 'node_modules', name, 'package.json')).version;
    } catch {
      packages[name] = 'not installed';
    }
  }
  return {
    nproc: cpus().length,
    cpuModel: cpuModel(),
    memoryGb: totalmem() / 2 ** 30,
    kernel: readText('/proc/sys/kernel/osrelease'),
    node: process.version,
    packages,
    commit: gitCommit(root),
  };
}

function cpuModel(): string {
  const match = /^model name\s*:\s*(.+)$/m.exec(readText('/proc/cpuinfo'));
  return match?.[1] ?? cpus()[0]?.model ?? 'unknown';
}

function gitCommit(cwd: string): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd, encoding: 'utf8' }).trim();
    return dirty ? `${sha} (src/ modified)` : sha;
  } catch {
    return 'unknown';
  }
}

/** A JSON file, parsed. */
export function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

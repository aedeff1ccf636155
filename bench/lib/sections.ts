import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJson } from './machine';

/** BENCHMARKS.md is written by several scripts; each one owns a marked section of it. */
export const BENCHMARKS_FILE = join(__dirname, '..', '..', 'BENCHMARKS.md');

/**
 * The order sections take in BENCHMARKS.md. `http-newer-node` is `npm run bench` run on a
 * newer Node line than the one `http` is measured on (see `httpSectionFor`).
 */
export const SECTION_ORDER = ['http', 'http-newer-node', 'instructions', 'profile', 'profile-fastify', 'ingest', 'lag', 'soak', 'notes'] as const;
export type SectionName = (typeof SECTION_ORDER)[number];

const open = (name: string) => `<!-- section:${name} -->`;
const close = (name: string) => `<!-- /section:${name} -->`;

/** Splits BENCHMARKS.md into its sections (text outside sections is dropped). */
export function readSections(text: string): Map<string, string> {
  const sections = new Map<string, string>();
  const pattern = /<!-- section:([a-z-]+) -->\n([\s\S]*?)\n<!-- \/section:\1 -->/g;
  for (const match of text.matchAll(pattern)) sections.set(match[1], match[2]);
  return sections;
}

/** Joins sections in `SECTION_ORDER`, each between its markers. */
export function joinSections(sections: Map<string, string>): string {
  return `${SECTION_ORDER.filter((name) => sections.has(name))
    .map((name) => `${open(name)}\n${sections.get(name)}\n${close(name)}`)
    .join('\n\n')}\n`;
}

/** Replaces one section of BENCHMARKS.md, keeping the others as they are. */
export function writeSection(name: SectionName, markdown: string, file = BENCHMARKS_FILE): void {
  const sections = readSections(existsSync(file) ? readFileSync(file, 'utf8') : '');
  sections.set(name, markdown.trim());
  writeFileSync(file, joinSections(sections));
}

/**
 * The Node line the main HTTP comparison (`http`) is measured on: the oldest the package
 * supports (`engines.node` in package.json), which is also this project's machine's and
 * CI's Node. A run on any newer line writes `http-newer-node` instead, so that both stay.
 */
export function referenceNodeMajor(): number {
  const engines: string = readJson(join(__dirname, '..', '..', 'package.json')).engines.node;
  const major = /(\d+)/.exec(engines);
  if (!major) throw new Error(`package.json engines.node has no version: ${engines}`);
  return Number(major[1]);
}

/** The section a full `npm run bench` on Node `version` (e.g. `26.10.0`) writes. */
export function httpSectionFor(version: string, reference = referenceNodeMajor()): 'http' | 'http-newer-node' {
  return Number(version.split('.')[0]) > reference ? 'http-newer-node' : 'http';
}

/**
 * A report written as a section under the main one: its title becomes a second-level
 * heading and every heading below it moves one level down.
 */
export function nestReport(markdown: string, title: string): string {
  return markdown
    .replace(/^# .*$/m, `# ${title}`)
    .replace(/^(#{1,5}) /gm, '#$1 ');
}

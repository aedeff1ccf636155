import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** BENCHMARKS.md is written by several scripts; each one owns a marked section of it. */
export const BENCHMARKS_FILE = join(__dirname, '..', '..', 'BENCHMARKS.md');

/** The order sections take in BENCHMARKS.md. */
export const SECTION_ORDER = ['http', 'instructions', 'profile', 'profile-fastify', 'ingest', 'lag', 'soak', 'notes'] as const;
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

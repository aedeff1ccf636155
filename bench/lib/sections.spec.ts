import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJson } from './machine';
import { httpSectionFor, nestReport, readSections, referenceNodeMajor, writeSection } from './sections';

describe('BENCHMARKS.md sections', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nestjs-analytics-sections-'));
    file = join(dir, 'BENCHMARKS.md');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('measures the main comparison on the oldest Node line package.json supports', () => {
    const engines: string = readJson(join(__dirname, '..', '..', 'package.json')).engines.node;
    expect(engines).toContain(`${referenceNodeMajor()}.`);
    expect(httpSectionFor('20.20.2', 20)).toBe('http');
    expect(httpSectionFor('26.10.0', 20)).toBe('http-newer-node');
  });

  it('keeps a newer Node line\'s run beside the main one, right after it', () => {
    writeFileSync(file, '<!-- section:notes -->\nnotes\n<!-- /section:notes -->\n<!-- section:http -->\n# Benchmarks\nmain\n<!-- /section:http -->\n');
    writeSection('http-newer-node', nestReport('# Benchmarks\n\n## Machine and versions\n\n- Node 26', 'The same on Node 26.10.0'), file);

    const text = readFileSync(file, 'utf8');
    expect([...readSections(text).keys()]).toEqual(['http', 'http-newer-node', 'notes']);
    expect(readSections(text).get('http')).toBe('# Benchmarks\nmain');
    expect(readSections(text).get('http-newer-node')).toBe('## The same on Node 26.10.0\n\n### Machine and versions\n\n- Node 26');
  });
});

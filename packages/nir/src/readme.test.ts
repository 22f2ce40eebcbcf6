import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURES, fixture } from '../test/fixtures.js';
import { readmeExample } from '../test/readme-example.js';
import { readNir } from './read.js';

describe('README', () => {
  it('shows the example file, and the example does what its comments say', async () => {
    // The README shows the file with the import a user writes.
    const source = readFileSync(new URL('../test/readme-example.ts', import.meta.url), 'utf8').replace("'../src/index.js'", "'@spikelite/nir'");
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(source.trim());
    const r = await readmeExample(FIXTURES.replace(/\/$/, ''));
    expect(r.version).toBe('0.1.1');
    expect(r.nodes).toEqual(['0: Affine', '1: LIF', 'input: Input', 'output: Output']);
    expect(r.spikeSteps).toEqual([460, 510, 710, 760]);
    expect(r.spikeSteps.map((t) => r.membrane[t])).toEqual([0, 0, 0, 0]);
    expect(r.again.version).toBe('1.0.0');
    expect(r.again.graph).toEqual((await readNir(fixture('lif_norse.nir'))).graph);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../test/fixtures.js';
import { readmeExample } from '../test/readme-example.js';

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
    expect(r.layers).toEqual(['conv2d', 'activation', 'conv2d', 'activation', 'sumPool', 'conv2d', 'activation', 'sumPool', 'flatten', 'linear', 'activation', 'linear', 'activation']);
    expect(r.warnings).toEqual([]);
    expect(r.written).toEqual(['input: Input', 'layers_0: Linear', 'layers_1: LIF', 'layers_2: Linear', 'output: Output', 'readout: I']);
    if (r.lif?.type !== 'LIF') throw new Error('expected a LIF');
    expect(r.lif.tau.data[0]).toBeCloseTo(0.01, 8);
    expect(r.lif.r.data[0]).toBeCloseTo(10, 5);
  });
});

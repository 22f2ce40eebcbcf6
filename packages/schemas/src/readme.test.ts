/** The README's example is examples/readme.ts, verbatim, and it prints what its comments say. */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeExample } from '../examples/readme.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('README example', () => {
  it('is in the README, verbatim', () => {
    const example = readFileSync(new URL('../examples/readme.ts', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

  it('fills the conv defaults, gives the shapes worked by hand, and names a misspelled field', () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const { first, shapes, error } = readmeExample();
    expect(first).toEqual({ kind: 'conv2d', filters: 32, kernelSize: 3, strides: 1, padding: 'same', dilations: 1, groups: 1, useBias: false });
    // 'same' 3×3 convs keep 28 and 14; 2×2 average pools halve; flatten 7·7·64 = 3136.
    expect(shapes).toEqual([[28, 28, 32], [28, 28, 32], [14, 14, 32], [14, 14, 64], [14, 14, 64], [7, 7, 64], [3136], [128], [128], [10]]);
    expect(error).toBe('spec.json: layers.0.stride: unknown field');
  });
});

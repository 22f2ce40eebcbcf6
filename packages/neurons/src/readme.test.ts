/** The README's example is examples/readme.ts, verbatim, and it gives the trajectory worked by hand. */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { readmeExample } from '../examples/readme.js';

describe('README example', () => {
  it('is in the README, verbatim', () => {
    const example = readFileSync(new URL('../examples/readme.ts', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

  it('gives the LIF trajectory worked by hand (u ← 0.9·u + I, spike and subtract 1 when u > 1)', async () => {
    await readmeExample(); // the first run initialises the backend
    const tensors = tf.memory().numTensors;
    const { trains, u, names } = await readmeExample();
    expect(tf.memory().numTensors).toBe(tensors);
    // Neuron 0, I = 0.6: 0.6, 1.14 → spike 0.14, 0.726, 1.2534 → spike 0.2534, 0.82806.
    // Neuron 1, I = 1.2, 0.1, 1.5, 0, 0: 1.2 → spike 0.2, 0.28, 1.752 → spike 0.752, 0.6768, 0.60912.
    // Neuron 2, I = 0.2: 0.2, 0.38, 0.542, 0.6878, 0.81902, never above 1.
    expect(trains).toEqual([[0, 1, 0], [1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 0]]);
    expect(u).toHaveLength(3);
    [0.82806, 0.60912, 0.81902].forEach((v, i) => expect(u[i]).toBeCloseTo(v, 6));
    // tfjs variable names are global: a counter prefix keeps this run's apart from the first run's.
    expect(names).toHaveLength(2);
    expect(names[0]).toMatch(/^n\d+:lif1\/leak$/);
    expect(names[1]).toMatch(/^n\d+:lif1\/threshold$/);
  });
});

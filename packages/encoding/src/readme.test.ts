/** The README's example is examples/readme.ts, verbatim, and it gives what its comments say. */
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

  it('hybrid: the analog image, then spikes at t = 1 + floor((1 − x)·4); rate: seeded, P = 1 always and P = 0 never fires', async () => {
    const first = await readmeExample();
    const tensors = tf.memory().numTensors;
    const again = await readmeExample();
    expect(tf.memory().numTensors).toBe(tensors); // everything it made is disposed
    expect(first.analog).toEqual([true, false]);
    // x = 1 → t 1, 0.75 → 2, 0.5 → 3, 0.25 → 4, 0 ≤ threshold 0 → never.
    expect(first.steps).toEqual(['1 0.75 0.5 0.25 0', '1 0 0 0 0', '0 1 0 0 0', '0 0 1 0 0', '0 0 0 1 0']);
    // P = 1 fires at all 10 steps, P = 0 at none; in between, the seeded draws (printed when written).
    expect(first.counts).toEqual([10, 9, 4, 1, 0]);
    expect(again.counts).toEqual(first.counts); // createRng(42) again: the same spikes
  });
});

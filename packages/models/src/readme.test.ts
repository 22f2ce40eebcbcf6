/** The README's example is examples/readme.ts, verbatim, and it gives the values worked by hand. */
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

  it('runs the preset, and the small net as an ANN and as an IF SNN, as worked by hand', async () => {
    await readmeExample(); // the first run initialises the backend
    const tensors = tf.memory().numTensors;
    const r = await readmeExample();
    expect(tf.memory().numTensors).toBe(tensors); // the example frees what it makes

    expect(r.cnnShape).toEqual([2, 10]); // batch 2, 10 classes
    // h = [0.5 + 0.2, 0.2 − 0.5] = [0.7, −0.3]; relu → [0.7, 0]; logits 0.7·[1, −1].
    const ann = r.ann as number[][]; // forwardAnn returns a tf.Tensor of any rank
    expect(ann).toHaveLength(1);
    expect(ann[0]![0]).toBeCloseTo(0.7, 6);
    expect(ann[0]![1]).toBeCloseTo(-0.7, 6);
    // IF, θ = 1, soft reset, I = 0.7 each step: u 0.7, 1.4 (spike → 0.4), 1.1 (spike → 0.1), 0.8,
    // 1.5 (spike); I = −0.3 never fires. The output integrates W·s: 3 spikes · [1, −1].
    expect(r.spikes).toEqual([[0, 1, 1, 0, 1]]);
    expect(r.logits).toEqual([[3, -3]]);
  });
});

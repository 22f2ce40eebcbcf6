/** The README's example is examples/readme.ts, verbatim, and it gives the values worked by hand. */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { readmeExample } from '../examples/readme.js';
import { runtimeExample } from '../examples/runtime.js';

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

describe('README runtime example', () => {
  it('is in the README, verbatim', () => {
    const example = readFileSync(new URL('../examples/runtime.ts', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

  it('gives the spikes and logits worked by hand, as SnnModel.forward does', async () => {
    await runtimeExample();
    const tensors = tf.memory().numTensors;
    const r = await runtimeExample();
    expect(tf.memory().numTensors).toBe(tensors);
    // Image 1: I = 0.7: u 0.7, 1.4 (spike), 1.1 (spike), 0.8, 1.5 (spike); −0.3 never fires.
    // Image 2: I = 0.75: 0.75, 1.5 (spike), 1.25 (spike), 1.0 (not > θ), 1.75 (spike); I = 0.25 reaches 1.25 at t = 4.
    expect(r.spikeCounts).toEqual([0, 2, 2, 0, 3]);
    expect(r.logits).toEqual([3, -3, 3.5, -1]);
    expect(r.denseLogits).toEqual(r.logits);
    expect(r.same).toBe(true);
  });
});

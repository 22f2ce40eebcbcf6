/** The README's example is examples/readme.ts, verbatim, and it gives the values worked by hand. */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@spikelite/engine';
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

  it('gives the losses, spike times and gradient worked by hand', async () => {
    const logged: unknown[][] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logged.push(a));
    await readmeExample(); // the first run initialises the backend
    const tensors = tf.memory().numTensors;
    const r = await readmeExample();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(logged[1]).toEqual([['membrane', 'threshold', 'labels'], [4, 1, 2]]);

    // CE of logits [2.0, 0.9], label 0: log(1 + e^−1.1).
    const ceFinal = Math.log1p(Math.exp(-1.1));
    expect(r.ce).toBeCloseTo(ceFinal, 6);
    // Class 0: U = 0.8 at step 2, 1.3 at step 3, so t = 2 + (1 − 0.8)/0.5 = 2.4; class 1 never: T + 1 = 5.
    expect(r.spikeTimes[0]).toBeCloseTo(2.4, 6);
    expect(r.spikeTimes[1]).toBe(5);
    // Time term: CE of logits −[2.4, 5], label 0: log(1 + e^−2.6).
    expect(r.value).toBeCloseTo(ceFinal + Math.log1p(Math.exp(-2.6)), 6);

    // Membrane term: softmax − one-hot at U(T) only. Time term: dL/dt₀ = q₁ = σ(−2.6), and
    // ∂t/∂U(3) = −(θ − U(2))/Δ² = −0.8, ∂t/∂U(2) = −(U(3) − θ)/Δ² = −1.2 (Δ = 0.5); class 1 never crossed: no time gradient.
    const p1 = 1 / (1 + Math.exp(1.1));
    const q1 = 1 / (1 + Math.exp(2.6));
    const expected = [[[0, 0]], [[-1.2 * q1, 0]], [[-0.8 * q1, 0]], [[-p1, p1]]];
    const grad = r.grad as number[][][]; // [T, N, C]
    expect(grad).toHaveLength(4);
    expected.forEach((step, t) => step[0]!.forEach((g, c) => expect(grad[t]![0]![c]).toBeCloseTo(g, 6)));

    // fsFit with c drawn as createLoss draws it: lo + (hi − lo)·rng.next() from createRng(0).
    const c = 0.08 + 0.04 * createRng(0).next();
    expect(r.fitLoss).toBeCloseTo(0.25 / 3 + c * (0.5 / 3) ** 2, 6);
  });
});

import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import { OptimizerSpec, parseWith } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer } from './optimizer.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

function run(spec: object, grads: number[]): number[] {
  const opt = createOptimizer(parseWith(OptimizerSpec, spec, 'opt'));
  const w = tf.variable(tf.scalar(1));
  const trace = grads.map((g) => {
    const gt = tf.scalar(g);
    opt.apply([w], ['w'], [gt], 0.1);
    gt.dispose();
    return w.dataSync()[0]!;
  });
  opt.dispose();
  w.dispose();
  return trace;
}

describe('optimizers (PyTorch update rules, worked by hand)', () => {
  it('Adam: with a constant gradient each bias-corrected step moves w by lr', () => {
    // m̂ = g and v̂ = g² after bias correction, so Δw = lr·g/|g| = 0.1 every step.
    const t = run({ kind: 'adam', lr: 0.1 }, [0.5, 0.5, 0.5]);
    t.forEach((v, i) => expect(v).toBeCloseTo(1 - 0.1 * (i + 1), 6));
  });

  it('Adam: second step with a different gradient', () => {
    // step 1: g=1 → w = 0.9. step 2: g=−1: m = 0.09 − 0.1 = −0.01, v = 0.000999 + 0.001 = 0.001999;
    // m̂ = −0.01/0.19, v̂ = 0.001999/0.001999 = 1 → w = 0.9 + 0.1·(0.01/0.19)/1.
    const t = run({ kind: 'adam', lr: 0.1 }, [1, -1]);
    expect(t[1]).toBeCloseTo(0.9 + 0.1 * (0.01 / 0.19), 5);
  });

  it('Adam weight decay is the L2 term added to the gradient (not AdamW)', () => {
    // g_eff = 0 + 0.5·w = 0.5 → the same as a gradient of 0.5: w = 0.9.
    expect(run({ kind: 'adam', lr: 0.1, weightDecay: 0.5 }, [0])[0]).toBeCloseTo(0.9, 6);
  });

  it('SGD with momentum: the buffer starts at g', () => {
    // buf 0.5 → w 0.95; buf 0.9·0.5 + 0.5 = 0.95 → w 0.855.
    const t = run({ kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0 }, [0.5, 0.5]);
    expect(t[0]).toBeCloseTo(0.95, 6);
    expect(t[1]).toBeCloseTo(0.855, 6);
  });

  it('state round-trips through load()', () => {
    const opt = createOptimizer(parseWith(OptimizerSpec, { kind: 'adam', lr: 0.1 }, 'opt'));
    const w = tf.variable(tf.scalar(1));
    opt.apply([w], ['w'], [tf.scalar(1)], 0.1);
    const saved = new Map([...opt.state()].map(([k, v]) => [k, tf.clone(v)]));
    expect([...saved.keys()].sort()).toEqual(['w/m', 'w/v']);
    const other = createOptimizer(parseWith(OptimizerSpec, { kind: 'adam', lr: 0.1 }, 'opt'));
    other.load(opt.step, saved);
    const w2 = tf.variable(tf.scalar(w.dataSync()[0]!));
    opt.apply([w], ['w'], [tf.scalar(-1)], 0.1);
    other.apply([w2], ['w'], [tf.scalar(-1)], 0.1);
    expect(w2.dataSync()[0]).toBe(w.dataSync()[0]);
  });
});

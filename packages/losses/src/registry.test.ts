import * as tf from '@tensorflow/tfjs-core';
import { createRng, initEngine } from '@spikelite/engine';
import type { LossSpecInput } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { membraneCe } from './ce.js';
import { createLoss, lossRegistry } from './registry.js';
import { spikeCountLoss } from './spike-count.js';
import { spikeTimeCe } from './spike-time.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

const membrane = (): tf.Tensor3D =>
  tf.tensor3d(Array.from({ length: 3 * 2 * 4 }, (_, i) => ((i * 7) % 11) / 8), [3, 2, 4]);

describe('createLoss / lossRegistry', () => {
  it('has one definition per LossSpec kind', () => {
    expect(Object.keys(lossRegistry).sort()).toEqual(['ce', 'fsFit', 'spikeCount', 'spikeTimeCe']);
    const needs = (spec: LossSpecInput): readonly string[] => createLoss(spec, { rng: createRng(0) }).needs;
    expect(needs({ kind: 'ce' })).toEqual(['membrane', 'labels']);
    expect(needs({ kind: 'spikeTimeCe' })).toEqual(['membrane', 'threshold', 'labels']);
    expect(needs({ kind: 'spikeCount', targetTrue: 2, targetFalse: 0 })).toEqual(['spikes', 'labels']);
    expect(needs({ kind: 'fsFit' })).toEqual(['fit']);
  });

  it('each built loss equals its functional form, with schema defaults filled', () => {
    const m = membrane();
    const labels = tf.tensor1d([1, 3], 'int32');
    const v = (t: tf.Scalar): number => t.dataSync()[0]!;
    const ce = createLoss({ kind: 'ce' });
    expect(ce.kind).toBe('ce');
    expect(v(ce({ membrane: m }, labels))).toBeCloseTo(v(membraneCe(m, labels, { on: 'mean' })), 6);
    expect(v(createLoss({ kind: 'ce', on: 'final', labelSmoothing: 0.1 })({ membrane: m }, labels))).toBeCloseTo(
      v(membraneCe(m, labels, { on: 'final', labelSmoothing: 0.1 })),
      6,
    );
    const st = createLoss({ kind: 'spikeTimeCe', timeWeight: 2 });
    expect(v(st({ membrane: m, threshold: 0.9 }, labels))).toBeCloseTo(
      v(spikeTimeCe(m, labels, { threshold: 0.9, membraneWeight: 1, timeWeight: 2 })),
      6,
    );
    const spikes = tf.cast(tf.greater(m, 0.6), 'float32');
    const sc = createLoss({ kind: 'spikeCount', targetTrue: 2, targetFalse: 0 });
    expect(v(sc({ spikes }, labels))).toBeCloseTo(v(spikeCountLoss(spikes, labels, { targetTrue: 2, targetFalse: 0 })), 6);
    tf.dispose([m, labels, spikes]);
  });

  it('a missing input or bad spec is an error naming it', () => {
    const m = membrane();
    expect(() => createLoss({ kind: 'spikeTimeCe' })({ membrane: m }, tf.tensor1d([0, 1], 'int32'))).toThrow(/'spikeTimeCe' loss needs out\.threshold/);
    expect(() => createLoss({ kind: 'ce' })({ membrane: m })).toThrow(/'ce' loss needs labels/);
    expect(() => createLoss({ kind: 'spikeCount', targetTrue: 1, targetFalse: 0 })({ membrane: m }, tf.tensor1d([0, 1]))).toThrow(/out\.spikes/);
    expect(() => createLoss({ kind: 'ce', labelSmoothing: 1 })).toThrow(/loss: labelSmoothing/);
    expect(() => createLoss({ kind: 'fsFit' })).toThrow(/pass an Rng/);
    m.dispose();
  });

  it('fsFit draws c from U(min, max) on every call, reproducibly from the Rng', () => {
    // f = f̂, and the penalty Σ_t mean(max(|v|−1, 0))² = 1, so the loss is c itself
    const fit = { f: tf.tensor1d([1, 2]), fhat: tf.tensor1d([1, 2]), vs: tf.tensor2d([[2, 2]]) };
    const draws = (seed: number): number[] => {
      const loss = createLoss({ kind: 'fsFit' }, { rng: createRng(seed) });
      return [0, 1, 2, 3].map(() => loss({ fit }).dataSync()[0]!);
    };
    const a = draws(5);
    a.forEach((c) => {
      expect(c).toBeGreaterThanOrEqual(0.08 - 1e-7);
      expect(c).toBeLessThanOrEqual(0.12 + 1e-7);
    });
    expect(new Set(a).size).toBe(4);
    expect(draws(5)).toEqual(a);
    expect(draws(6)).not.toEqual(a);
    // a fixed c needs no Rng
    expect(createLoss({ kind: 'fsFit', regularizer: [0.1, 0.1] })({ fit }).dataSync()[0]).toBeCloseTo(0.1, 6);
  });

  it('does not leak tensors', () => {
    const m = membrane();
    const labels = tf.tensor1d([1, 3], 'int32');
    const losses = [createLoss({ kind: 'ce' }), createLoss({ kind: 'spikeTimeCe' })];
    const before = tf.memory().numTensors;
    for (const loss of losses) {
      tf.grad((x) => loss({ membrane: x, threshold: 1 }, labels))(m).dispose();
      loss({ membrane: m, threshold: 1 }, labels).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([m, labels]);
  });
});

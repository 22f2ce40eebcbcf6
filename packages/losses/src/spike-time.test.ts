import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { firstSpikeTimes, spikeTimeCe } from './spike-time.js';
import { ceRef, expectGradMatchesFd, oneHot } from '../test/util.js';

/** [T, N, C] from per-neuron traces given as [N][C][T]. */
function trace(perNeuron: number[][][]): tf.Tensor3D {
  const N = perNeuron.length;
  const C = perNeuron[0]!.length;
  const T = perNeuron[0]![0]!.length;
  const data: number[] = [];
  for (let t = 0; t < T; t++) for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) data.push(perNeuron[n]![c]![t]!);
  return tf.tensor3d(data, [T, N, C]);
}

// Smooth points for finite differences: every crossing has a margin (no sample within 0.05
// of θ), so a small perturbation never moves it to another step. [N = 2][C = 3][T = 4]
const SMOOTH = [
  [[0.4, 0.8, 1.3, 2.0], [1.5, 1.6, 1.7, 1.8], [0.1, 0.2, 0.3, 0.9]],
  [[0.9, 0.5, 1.1, 0.2], [0.3, 0.7, 0.6, 1.4], [0.5, 1.25, 1.2, 1.4]],
];

// θ = 1, T = 4; hand-worked times (1-based), t = t_k − 1 + (θ − U(t_k − 1))/(U(t_k) − U(t_k − 1)):
const CASES: Array<{ u: number[]; t: number }> = [
  { u: [0.4, 0.8, 1.3, 2.0], t: 2 + 0.2 / 0.5 }, // 2.4
  { u: [1.5, 1.6, 1.7, 1.8], t: 0 + 1 / 1.5 }, // U(0) = 0: 0.667
  { u: [0.5, 1.0, 1.2, 1.4], t: 1 + 0.5 / 0.5 }, // reaching θ exactly counts: 2
  { u: [0.9, 0.5, 1.1, 0.2], t: 2 + 0.5 / 0.6 }, // dips and rises: first crossing, 2.833
  { u: [0.1, 0.2, 0.3, 0.9], t: 5 }, // silent: T + 1
  { u: [0.2, 0.4, 0.6, 1.0], t: 3 + 0.4 / 0.4 }, // crosses at the last step: 4
];

describe.each(['cpu', 'wasm'] as const)('spike-time loss on %s', (backend) => {
  beforeAll(async () => {
    await initEngine({ backend });
  });

  it('interpolated first-crossing times match hand-worked values; silent → T + 1', () => {
    const m = trace([CASES.slice(0, 3).map((c) => c.u), CASES.slice(3).map((c) => c.u)]);
    const { times, step } = firstSpikeTimes(m, 1);
    const got = Array.from(times.dataSync());
    CASES.forEach((c, i) => expect(got[i]).toBeCloseTo(c.t, 5));
    expect(Array.from(step)).toEqual([3, 1, 2, 3, 0, 4]);
    tf.dispose([m, times]);
  });

  it('a per-class threshold tensor is broadcast, and θ gets a gradient 1/(U(t_k) − U(t_k − 1))', () => {
    const m = trace([[[0.4, 0.8, 1.3, 2.0], [0.4, 0.8, 1.3, 2.0]]]);
    const theta = tf.tensor1d([1, 1.5]);
    const times = firstSpikeTimes(m, theta).times.dataSync();
    expect(times[0]).toBeCloseTo(2.4, 5);
    expect(times[1]).toBeCloseTo(3 + 0.2 / 0.7, 5); // crosses 1.5 between 1.3 and 2.0
    const g = tf.grad((th) => tf.sum(firstSpikeTimes(m, th).times))(theta).dataSync();
    expect(g[0]).toBeCloseTo(1 / 0.5, 4);
    expect(g[1]).toBeCloseTo(1 / 0.7, 4);
    tf.dispose([m, theta]);
  });

  it('time gradient: hand-worked at the two steps around the crossing, zero elsewhere and for silent neurons', () => {
    const m = trace([[CASES[0]!.u, CASES[4]!.u]]); // [4, 1, 2]
    const g = Array.from(tf.grad((x) => tf.sum(firstSpikeTimes(x, 1).times))(m).dataSync());
    // neuron 0 (entries 0,2,4,6): dt/dU(3) = −(θ − U(2))/d² = −0.8, dt/dU(2) = −(U(3) − θ)/d² = −1.2
    expect(g[2]).toBeCloseTo(-0.3 / 0.25, 4); // U(2): −1.2
    expect(g[4]).toBeCloseTo(-0.2 / 0.25, 4); // U(3): −0.8
    expect(Math.abs(g[0]!) + Math.abs(g[6]!)).toBe(0);
    // silent neuron (odd entries): no gradient at all
    expect([1, 3, 5, 7].map((i) => Math.abs(g[i]!))).toEqual([0, 0, 0, 0]);
    m.dispose();
  });

  it('interpolated time gradient matches finite differences', () => {
    const m = trace(SMOOTH);
    const x0 = Array.from(m.dataSync());
    const w = tf.tensor2d([[1, -2, 0.5], [1.5, 3, -1]]); // a weighted sum exercises each neuron separately
    expectGradMatchesFd((x) => tf.sum(tf.mul(w, firstSpikeTimes(x, 1).times)) as tf.Scalar, x0, [4, 2, 3], { eps: 1e-3, tol: 5e-3 });
    tf.dispose([m, w]);
  });

  it('loss = membraneWeight·CE(U(T)) + timeWeight·CE(−t_out), hand-computed', () => {
    const m = trace([CASES.slice(0, 3).map((c) => c.u), CASES.slice(3).map((c) => c.u)]);
    const labels = [0, 1];
    const y = oneHot(labels, 3);
    const uT = [CASES.slice(0, 3).map((c) => c.u[3]!), CASES.slice(3).map((c) => c.u[3]!)];
    const negT = [CASES.slice(0, 3).map((c) => -c.t), CASES.slice(3).map((c) => -c.t)];
    const l = tf.tensor1d(labels, 'int32');
    const value = (mw: number, tw: number): number => spikeTimeCe(m, l, { threshold: 1, membraneWeight: mw, timeWeight: tw }).dataSync()[0]!;
    expect(value(1, 0)).toBeCloseTo(ceRef(uT, y), 5);
    expect(value(0, 1)).toBeCloseTo(ceRef(negT, y), 5);
    expect(value(0.3, 2)).toBeCloseTo(0.3 * ceRef(uT, y) + 2 * ceRef(negT, y), 5);
    expect(() => spikeTimeCe(m, l, { threshold: 1, membraneWeight: 0, timeWeight: 0 })).toThrow(/not both 0/);
    tf.dispose([m, l]);
  });

  it('full loss gradient matches finite differences, including a silent neuron', () => {
    const m = trace(SMOOTH);
    const x0 = Array.from(m.dataSync());
    const l = tf.tensor1d([2, 1], 'int32');
    const g = expectGradMatchesFd((x) => spikeTimeCe(x, l, { threshold: 1, membraneWeight: 0.5, timeWeight: 1 }), x0, [4, 2, 3], {
      eps: 1e-3,
      tol: 5e-3,
    });
    // the silent neuron (n = 0, c = 2) only gets the membrane term's gradient, at step T
    expect([0, 1, 2].map((t) => Math.abs(g[t * 6 + 2]!))).toEqual([0, 0, 0]);
    expect(Math.abs(g[3 * 6 + 2]!)).toBeGreaterThan(0);
    tf.dispose([m, l]);
  });

  it('all-silent outputs give a finite loss and finite gradients', () => {
    const m = tf.fill([3, 2, 4], 0.1) as tf.Tensor3D;
    const l = tf.tensor1d([0, 3], 'int32');
    const loss = spikeTimeCe(m, l, { threshold: 1, membraneWeight: 0, timeWeight: 1 }).dataSync()[0]!;
    expect(loss).toBeCloseTo(Math.log(4), 5); // all t_out = T + 1: uniform softmax
    const g = tf.grad((x) => spikeTimeCe(x, l, { threshold: 1 }))(m).dataSync();
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
    tf.dispose([m, l]);
  });
});

/**
 * BPTT through a tiny 2-layer SNN against a PyTorch reference
 * (tooling/fixtures/snn-bptt/make_fixture.py → bptt_fixture.json; CI only reads the JSON):
 * loss, every gradient (W1, W2, λ, θ) to 1e-5 relative to the largest entry (measured:
 * ≤ 7.5e-7), the spike trains exactly; on cpu and wasm, with the fused and the composed LIF.
 * `BPTT_REPORT=1` prints the measured errors.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { NeuronSpecInput } from '@spikelite/schemas';
import { describe, expect, it } from 'vitest';
import { BACKENDS, maxRelErr, useBackend, values } from '../test/helpers.js';
import { createNeuronLayer } from './registry.js';
import type { NeuronImplementation, StepNeuronLayer } from './types.js';

interface Variant {
  name: string;
  input: 'direct' | 'hybrid';
  neuron: NeuronSpecInput;
  leak: number;
  threshold: number;
  loss: number;
  U: number[][];
  spikes: number[][][];
  grads: { W1: number[][]; W2: number[][]; leak: number; threshold: number };
}
interface Fixture {
  T: number;
  N: number;
  F: number;
  H: number;
  O: number;
  labels: number[];
  W1: number[][];
  W2: number[][];
  inputs: { direct: number[][][]; hybrid: number[][][] };
  variants: Variant[];
}

const FIXTURE: Fixture = JSON.parse(
  readFileSync(new URL('../../../tooling/fixtures/snn-bptt/bptt_fixture.json', import.meta.url), 'utf8'),
) as Fixture;

// float32 (here) against float64 (PyTorch) reaches < 1e-6; 1e-5 leaves a wide margin.
const TOL = 1e-5;
let uid = 0;

function runVariant(v: Variant, impl: NeuronImplementation) {
  const { T, N, H, O } = FIXTURE;
  const hidden = createNeuronLayer(v.neuron, { name: `bptt${uid++}`, channels: H, timesteps: T, implementation: impl }) as StepNeuronLayer;
  const out = createNeuronLayer({ kind: 'integrator' }, { name: `bptt-out${uid++}`, channels: O, timesteps: T }) as StepNeuronLayer;
  const W1 = tf.variable(tf.tensor(FIXTURE.W1), true, `bptt-W1-${uid}`);
  const W2 = tf.variable(tf.tensor(FIXTURE.W2), true, `bptt-W2-${uid}`);
  try {
    expect(hidden.getParameter('leak')).toEqual([Math.fround(v.leak)]);
    expect(hidden.getParameter('threshold')).toEqual([Math.fround(v.threshold)]);
    const [leak, threshold] = hidden.variables;
    expect(leak!.name).toMatch(/\/leak$/);
    expect(threshold!.name).toMatch(/\/threshold$/);
    return tf.tidy(() => {
      const x = tf.tensor(FIXTURE.inputs[v.input]); // [T, N, F]
      const onehot = tf.oneHot(tf.tensor1d(FIXTURE.labels, 'int32'), O);
      const spikes: tf.Tensor[] = [];
      let U: tf.Tensor = tf.zeros([N, O]);
      const lossFn = () => {
        spikes.length = 0;
        let hs = hidden.initState([N, H]);
        let os = out.initState([N, O]);
        tf.unstack(x, 0).forEach((xt, t) => {
          const h = hidden.step(tf.matMul(xt, W1), hs, t);
          hs = h.state;
          spikes.push(h.spikes);
          const o = out.step(tf.matMul(h.spikes, W2), os, t);
          os = o.state;
          U = o.spikes; // the integrator outputs its membrane: U(T) after the last step
        });
        // Softmax cross-entropy on U(T), mean over the batch.
        return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(U)), 1))) as tf.Scalar;
      };
      // A plain forward for U and the spike trains (tensors made inside variableGrads are
      // released with it), then the gradients.
      lossFn();
      const fwd = { U: values(U), spikes: values(tf.stack(spikes)) };
      const { value, grads } = tf.variableGrads(lossFn, [W1, W2, leak!, threshold!]);
      return {
        loss: values(value)[0]!,
        ...fwd,
        dW1: values(grads[W1.name]!),
        dW2: values(grads[W2.name]!),
        dleak: values(grads[leak!.name]!)[0]!,
        dth: values(grads[threshold!.name]!)[0]!,
      };
    });
  } finally {
    hidden.dispose();
    out.dispose();
    W1.dispose();
    W2.dispose();
  }
}

const CASES = FIXTURE.variants.flatMap((v) =>
  (v.neuron.kind === 'lif' ? (['fused', 'composed'] as const) : (['auto'] as const)).map((impl) => [v.name, impl, v] as const),
);

describe.each(BACKENDS)('BPTT fixture (PyTorch) on %s', (backend) => {
  it('has the expected variants', () => {
    expect(FIXTURE.variants.map((v) => v.name)).toEqual([
      'direct-lif',
      'hybrid-lif',
      'hybrid-singleSpike-reset',
      'hybrid-singleSpike-freeze',
    ]);
  });

  it.each(CASES)('%s (%s): loss, spikes and all gradients match', async (_name, impl, v) => {
    await useBackend(backend);
    const got = runVariant(v, impl);
    if (process.env['BPTT_REPORT']) {
      const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
      console.log(JSON.stringify({ backend, variant: v.name, impl, loss: rel(got.loss, v.loss), W1: maxRelErr(got.dW1, v.grads.W1.flat()), W2: maxRelErr(got.dW2, v.grads.W2.flat()), leak: rel(got.dleak, v.grads.leak), threshold: rel(got.dth, v.grads.threshold) }));
    }
    expect(got.spikes).toEqual(v.spikes.flat(2));
    expect(maxRelErr(got.U, v.U.flat())).toBeLessThan(TOL);
    expect(Math.abs(got.loss - v.loss) / Math.abs(v.loss)).toBeLessThan(TOL);
    expect(maxRelErr(got.dW1, v.grads.W1.flat())).toBeLessThan(TOL);
    expect(maxRelErr(got.dW2, v.grads.W2.flat())).toBeLessThan(TOL);
    expect(Math.abs(got.dleak - v.grads.leak) / Math.abs(v.grads.leak)).toBeLessThan(TOL);
    expect(Math.abs(got.dth - v.grads.threshold) / Math.abs(v.grads.threshold)).toBeLessThan(TOL);
  });
});

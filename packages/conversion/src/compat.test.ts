/**
 * What converts, recipe by operator: a small network around each operator is converted with
 * every recipe. The table below is the one in the README ("Recipe × operator"): a cell either
 * converts (and the SNN runs) or names the layer, the operator and the recipe that would work.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng, initEngine } from '@spikelite/engine';
import { Network } from '@spikelite/models';
import { ModelSpec, parseWith, type ConversionRecipeInput, type LayerInput } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { convert } from './convert.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

const conv = (filters: number, extra: Partial<LayerInput> = {}): LayerInput => ({ kind: 'conv2d', filters, kernelSize: 3, useBias: true, ...extra }) as LayerInput;
const act = (fn: string, extra: Record<string, unknown> = {}): LayerInput => ({ kind: 'activation', fn, ...extra }) as LayerInput;
const head: LayerInput[] = [{ kind: 'globalAvgPool' }, { kind: 'linear', units: 3, useBias: true }];

/** The body of a 6×6×4 → … network around one operator (a conv + ReLU before it, a head after). */
const CASES: Record<string, LayerInput[]> = {
  'depthwise conv': [conv(4, { groups: 4 }), act('relu')],
  'grouped conv': [conv(4, { groups: 2 }), act('relu')],
  'concat of spike trains': [
    { kind: 'conv2d', name: 'a', filters: 2, kernelSize: 1, useBias: true }, act('relu', { name: 'ra' }),
    { kind: 'conv2d', name: 'b', filters: 2, kernelSize: 3, useBias: true, inputs: ['r0'] }, act('relu', { name: 'rb' }),
    { kind: 'concat', inputs: ['ra', 'rb'] },
  ],
  'padded max pool': [{ kind: 'maxPool', poolSize: 3, strides: 2, padding: { top: 1, bottom: 1, left: 1, right: 1 } }],
  'padded average pool (count_include_pad)': [{ kind: 'avgPool', poolSize: 3, strides: 1, padding: { top: 1, bottom: 1, left: 1, right: 1 }, countIncludePad: true }],
  'residual add': [conv(4, { name: 'c1' }), { kind: 'add', inputs: ['c1', 'r0'] }, act('relu')],
  'relu6': [conv(4), act('relu6')],
  'clip(0, 4)': [conv(4), act('clip', { min: 0, max: 4 })],
  'silu': [conv(4), act('silu')],
  'hard-swish': [conv(4), act('hardSwish')],
  'sigmoid': [conv(4), act('sigmoid')],
  'hard-sigmoid': [conv(4), act('hardSigmoid', { alpha: 1 / 6, beta: 0.5 })],
  'gelu': [conv(4), act('gelu')],
  'tanh': [conv(4), act('tanh')],
  'elu': [conv(4), act('elu')],
  'leaky relu': [conv(4), act('leakyRelu')],
  'prelu': [conv(4), act('prelu', { slopeShape: [4] })],
  'squeeze-and-excitation gate': [
    { kind: 'globalAvgPool', keepDims: true, name: 'g' }, { kind: 'conv2d', filters: 2, kernelSize: 1, useBias: true }, act('relu'),
    { kind: 'conv2d', filters: 4, kernelSize: 1, useBias: true }, act('sigmoid', { name: 's' }), { kind: 'mul', inputs: ['r0', 's'] },
  ],
  'BatchNorm on spikes (affine)': [{ kind: 'affine', shape: [4], scale: true, bias: true }, act('relu')],
  'channel shuffle (transposes)': [
    { kind: 'transpose', perm: [2, 0, 1] }, { kind: 'reshape', shape: [2, 2, 6, 6] }, { kind: 'transpose', perm: [1, 0, 2, 3] },
    { kind: 'reshape', shape: [4, 6, 6] }, { kind: 'transpose', perm: [1, 2, 0] },
  ],
};

const RECIPES = ['threshold', 'diet', 'hybrid', 'fs'] as const;
const IF_REFUSES = new Set(['hard-swish', 'sigmoid', 'hard-sigmoid', 'gelu', 'tanh', 'elu', 'leaky relu', 'prelu', 'squeeze-and-excitation gate']);
/** The README table: ✓ converts; otherwise the operator the error names and the recipe it names. */
const expected = (op: string, recipe: (typeof RECIPES)[number]): string => {
  if (recipe === 'fs') return op === 'prelu' ? 'refused: prelu' : '✓';
  return IF_REFUSES.has(op) ? 'refused: use fs' : '✓';
};

function network(body: LayerInput[]): Network {
  const spec = parseWith(
    ModelSpec,
    { input: { channels: 4, height: 6, width: 6 }, classes: 3, layers: [conv(4, { name: 'c0' }), act('relu', { name: 'r0' }), ...body, ...head] },
    'compat',
  );
  const net = Network.create(spec, { seed: 1 });
  const rng = createRng(3);
  for (const p of net.params.list()) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    net.params.assign(p.name, Float32Array.from({ length: n }, () => (p.role === 'bnVar' || p.role === 'scale' ? 1 + 0.2 * rng.next() : 0.4 * rng.normal())));
  }
  return net;
}

describe('recipe × operator', () => {
  const images = () => tf.tensor4d(Float32Array.from({ length: 16 * 144 }, (_, i) => 0.5 + 0.5 * Math.sin(i * 1.7)), [16, 6, 6, 4]);

  it.each(Object.keys(CASES))('%s', async (op) => {
    const net = network(CASES[op]!);
    const x = images();
    for (const recipe of RECIPES) {
      let got: string;
      try {
        const input = (recipe === 'fs' ? { kind: 'fs', fit: 'missing' } : { kind: recipe, timesteps: 4, ...(recipe === 'threshold' ? {} : { finetuneEpochs: 0 }) }) as ConversionRecipeInput;
        const r = await convert(net, input, { calibrationImages: x });
        const out = r.snn.forward(x, { release: true });
        expect(out.logits.shape).toEqual([16, 3]);
        expect(Array.from(out.logits.dataSync()).every(Number.isFinite)).toBe(true);
        tf.dispose([out.logits, out.spikeCounts]);
        r.dispose();
        got = '✓';
      } catch (e) {
        const m = (e as Error).message;
        // One line that names the layer (its spec path), the operator and what would work.
        expect(m).not.toContain('\n');
        expect(m).toMatch(/layers\.\d+/);
        got = /\(prelu\): a PReLU has a learned slope/.test(m) ? 'refused: prelu' : /convert \w+ with the fs recipe \(--method fs\)/.test(m) ? 'refused: use fs' : `error: ${m}`;
      }
      expect(`${recipe}: ${got}`).toBe(`${recipe}: ${expected(op, recipe)}`);
    }
    x.dispose();
    net.dispose();
  });
});

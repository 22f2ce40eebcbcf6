import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import { ModelSpec, parseWith } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { Network } from './network.js';
import { presetSpec, PRESET_NAMES } from './presets.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

describe('presets', () => {
  it('every preset builds and ends in the class count', () => {
    for (const name of PRESET_NAMES) {
      const spec = presetSpec(name, { classes: 7 });
      expect(spec.layers.at(-1)).toMatchObject({ kind: 'linear', units: 7 });
    }
  });
});

describe('ANN forward', () => {
  it('a hand-worked conv → relu → avgpool → flatten → linear', () => {
    const spec = parseWith(ModelSpec, {
      input: { channels: 1, height: 2, width: 2 },
      classes: 2,
      layers: [
        { kind: 'conv2d', filters: 1, kernelSize: 1 },
        { kind: 'activation', fn: 'relu' },
        { kind: 'avgPool', poolSize: 2 },
        { kind: 'flatten' },
        { kind: 'linear', units: 2 },
      ],
    }, 'test');
    const net = Network.create(spec);
    net.params.assign('layers.0.kernel', new Float32Array([2]));
    net.params.assign('layers.4.kernel', new Float32Array([1, -1]));
    const x = tf.tensor4d([1, -3, 2, 5], [1, 2, 2, 1]);
    // conv ×2 → [2, −6, 4, 10]; relu → [2, 0, 4, 10]; mean 4; linear → [4, −4]
    expect(Array.from(net.forwardAnn(x).dataSync())).toEqual([4, -4]);
    net.dispose();
  });

  it('residual blocks add body and shortcut', () => {
    const spec = parseWith(ModelSpec, {
      input: { channels: 1, height: 1, width: 1 },
      classes: 1,
      layers: [
        { kind: 'residual', body: [{ kind: 'conv2d', filters: 1, kernelSize: 1 }], shortcut: [] },
        { kind: 'flatten' },
        { kind: 'linear', units: 1 },
      ],
    }, 'test');
    const net = Network.create(spec);
    net.params.assign('layers.0.body.0.kernel', new Float32Array([3]));
    net.params.assign('layers.2.kernel', new Float32Array([1]));
    expect(net.forwardAnn(tf.tensor4d([2], [1, 1, 1, 1])).dataSync()[0]).toBe(8); // 3·2 + 2
    net.dispose();
  });
});

describe('ceil-mode pooling (PyTorch ceil_mode)', () => {
  /** 3×3 input 1..9 → pool 2×2 stride 2, ceil → 2×2 → flatten → identity linear. */
  function pooled(kind: 'maxPool' | 'avgPool'): Network {
    const spec = parseWith(ModelSpec, {
      input: { channels: 1, height: 3, width: 3 },
      classes: 4,
      layers: [{ kind, poolSize: 2, ceilMode: true }, { kind: 'flatten' }, { kind: 'linear', units: 4 }],
    }, 'test');
    const net = Network.create(spec);
    net.params.assign('layers.2.kernel', new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]));
    return net;
  }

  // Hand-worked: windows {1,2,4,5}, {3,6}, {7,8}, {9}. Average over the elements inside the
  // input (PyTorch's divisor for the overhang). tfjs-wasm's own ceil rounding got the edges wrong.
  it.each(['cpu', 'wasm'] as const)('max and average over the overhanging windows on %s', async (backend) => {
    await initEngine({ backend });
    try {
      const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
      for (const [kind, want] of [['maxPool', [5, 6, 8, 9]], ['avgPool', [3, 4.5, 7.5, 9]]] as const) {
        const net = pooled(kind);
        expect(Array.from(net.forwardAnn(x).dataSync())).toEqual(want);
        net.dispose();
      }
      x.dispose();
    } finally {
      await initEngine({ backend: 'cpu' });
    }
  });
});

describe('convolutions tfjs cannot run in one call', () => {
  it('stride and dilation together equal a stride-1 dilated conv sampled every stride-th output (hand-checked on cpu)', async () => {
    const spec = parseWith(ModelSpec, {
      input: { channels: 2, height: 9, width: 8 },
      layers: [{ kind: 'conv2d', filters: 3, kernelSize: 3, strides: 2, dilations: 2, padding: { top: 2, bottom: 1, left: 0, right: 2 }, useBias: false }],
    }, 'test');
    const net = Network.create(spec, { seed: 5 });
    const x = tf.tensor4d(Float32Array.from({ length: 9 * 8 * 2 }, (_, i) => Math.sin(i)), [1, 9, 8, 2]);
    const got = tf.tidy(() => net.forwardAnn(x).arraySync() as number[][][][]);
    const k = net.params.get('layers.0.kernel').arraySync() as number[][][][];
    const xs = x.arraySync()[0]!;
    // out[i][j][o] = Σ x[2i + 2a − 2][2j + 2b − 0][c] · k[a][b][c][o], zero outside.
    expect(got[0]!.length).toBe(Math.floor((9 + 3 - 5) / 2) + 1);
    for (let i = 0; i < got[0]!.length; i++)
      for (let j = 0; j < got[0]![0]!.length; j++)
        for (let o = 0; o < 3; o++) {
          let sum = 0;
          for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 2; c++) sum += (xs[2 * i + 2 * a - 2]?.[2 * j + 2 * b]?.[c] ?? 0) * k[a]![b]![c]![o]!;
          expect(got[0]![i]![j]![o]!).toBeCloseTo(sum, 4);
        }
    x.dispose();
    net.dispose();
  });
});

import { describe, expect, it } from 'vitest';
import { Checkpoint } from './checkpoint.js';
import { parseWith } from './validate.js';

const manifest = {
  schemaVersion: 1,
  kind: 'spikelite-checkpoint',
  spec: {
    name: 'mlp',
    input: { channels: 1, height: 28, width: 28 },
    classes: 10,
    layers: [
      { kind: 'flatten' },
      { kind: 'linear', name: 'fc1', units: 128 },
      { kind: 'activation', fn: 'relu' },
      { kind: 'linear', name: 'fc2', units: 10 },
    ],
  },
  neuron: { kind: 'lif' },
  encoding: { kind: 'direct' },
  train: { method: 'diet', timesteps: 5, epochs: 2 },
  method: 'diet',
  epoch: 1,
  step: 938,
  rng: [1, 2, 3, 0xffffffff],
  tensors: [
    { name: 'fc1/kernel', shape: [784, 128], dtype: 'float32', offset: 0, length: 784 * 128 * 4 },
    { name: 'fc2/kernel', shape: [128, 10], dtype: 'float32', offset: 784 * 128 * 4, length: 128 * 10 * 4 },
    { name: 'lif1/threshold', shape: [], dtype: 'float32', offset: 784 * 128 * 4 + 5120, length: 4 },
    { name: 'adam/step', shape: [1], dtype: 'int32', offset: 784 * 128 * 4 + 5124, length: 4 },
  ],
  optimizer: { kind: 'adam', step: 938, tensorNames: ['adam/step'] },
  metrics: [{ epoch: 0, trainLoss: 0.61, testAccuracy: 0.84, lr: 1e-4, customMetric: 3 }],
  createdAt: '2025-11-22T13:00:00.000Z',
};

const clone = (): typeof manifest => structuredClone(manifest);
const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('Checkpoint', () => {
  it('round-trips through JSON and fills nested defaults', () => {
    const a = Checkpoint.parse(manifest);
    const json = JSON.parse(JSON.stringify(a)) as unknown;
    expect(json).toStrictEqual(a);
    expect(Checkpoint.parse(json)).toStrictEqual(a);
    expect(a.neuron).toMatchObject({ kind: 'lif', leak: 1, order: 'current' });
    expect(a.train?.batchSize).toBe(64);
    expect(a.spec.layers[1]).toEqual({ kind: 'linear', name: 'fc1', units: 128, useBias: false });
    expect(a.metrics?.[0]?.['customMetric']).toBe(3);
  });

  it('checks tensor byte lengths, alignment, overlap and names', () => {
    const c = clone();
    c.tensors[0]!.length = 100;
    c.tensors[2]!.offset = 784 * 128 * 4 + 5122;
    c.tensors.push({ name: 'fc2/kernel', shape: [0], dtype: 'int32', offset: 0, length: 0 });
    c.optimizer.tensorNames.push('adam/m');
    expect(message(() => parseWith(Checkpoint, c, 'ckpt/manifest.json')).split('\n')).toEqual([
      'ckpt/manifest.json: tensors.0.length: length 100 does not match shape [784, 128] of float32 (401408 bytes)',
      'ckpt/manifest.json: tensors.2.offset: offset 406530 is not a multiple of 4',
    ]);
    // Once each tensor is valid on its own, the cross-tensor checks run.
    const d = clone();
    d.tensors[1]!.offset = 8;
    d.tensors.push({ name: 'fc2/kernel', shape: [0], dtype: 'int32', offset: 0, length: 0 });
    d.optimizer.tensorNames.push('adam/m');
    expect(message(() => parseWith(Checkpoint, d, 'ckpt/manifest.json')).split('\n')).toEqual([
      "ckpt/manifest.json: tensors.4.name: duplicate tensor name 'fc2/kernel' (also tensors.1)",
      "ckpt/manifest.json: tensors.1.offset: tensor 'fc2/kernel' overlaps tensor 'fc1/kernel' in the weights file",
      "ckpt/manifest.json: optimizer.tensorNames.1: optimizer tensor 'adam/m' is not in tensors",
    ]);
  });

  it('validates rng words, kind, dates and the embedded spec', () => {
    const c = clone() as Record<string, unknown> & typeof manifest;
    c.rng = [1, 2, 3, 2 ** 32];
    c.kind = 'tfjs-model' as never;
    c.createdAt = 'yesterday';
    c.spec.layers[3] = { kind: 'linear', name: 'fc2', units: 12 };
    expect(message(() => parseWith(Checkpoint, c, 'm')).split('\n')).toEqual([
      'm: kind: expected "spikelite-checkpoint", got "tfjs-model"',
      "m: spec.layers.3: the last layer (linear 'fc2') outputs 12 features but classes is 10",
      'm: rng.3: expected an unsigned 32-bit integer, got 4294967296',
      'm: createdAt: expected an ISO 8601 date-time string, got "yesterday"',
    ]);
  });
});

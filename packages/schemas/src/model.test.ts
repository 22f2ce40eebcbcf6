import { describe, expect, it } from 'vitest';
import { ModelSpec, type ModelSpecInput, type Layer } from './model.js';
import { SpikeliteConfigError } from './errors.js';
import { parseWith } from './validate.js';

/** A small DIET-style ResNet: conv stem, one strided residual block, pooled classifier. */
const resnet: ModelSpecInput = {
  name: 'tiny-resnet',
  input: { channels: 3, height: 32, width: 32 },
  classes: 10,
  layers: [
    { kind: 'conv2d', name: 'stem', filters: 16, kernelSize: 3 },
    { kind: 'batchNorm' },
    { kind: 'activation', fn: 'relu' },
    { kind: 'dropout', rate: 0.2 },
    {
      kind: 'residual',
      name: 'block1',
      body: [
        { kind: 'conv2d', filters: 32, kernelSize: [3, 3], strides: 2 },
        { kind: 'activation', fn: 'leakyRelu' },
        { kind: 'conv2d', filters: 32, kernelSize: 3, padding: { top: 1, bottom: 1, left: 1, right: 1 } },
      ],
      shortcut: [{ kind: 'conv2d', filters: 32, kernelSize: 1, strides: 2 }],
    },
    { kind: 'activation', fn: 'silu' },
    { kind: 'avgPool', poolSize: 2 },
    { kind: 'maxPool', poolSize: [2, 2], strides: 2, padding: 'same', ceilMode: true },
    { kind: 'globalAvgPool' },
    { kind: 'flatten' },
    { kind: 'linear', units: 10, useBias: true },
  ],
};

function roundTrip(input: unknown): ModelSpec {
  const a = ModelSpec.parse(input);
  const json = JSON.parse(JSON.stringify(a)) as unknown;
  expect(json).toStrictEqual(a);
  const b = ModelSpec.parse(json);
  expect(b).toStrictEqual(a);
  return a;
}

function errorLines(value: unknown): string[] {
  try {
    parseWith(ModelSpec, value, 'spec.json');
  } catch (e) {
    expect(e).toBeInstanceOf(SpikeliteConfigError);
    return (e as Error).message.split('\n');
  }
  throw new Error('expected a validation error');
}

const clone = <T>(v: T): T => structuredClone(v);

describe('ModelSpec', () => {
  it('round-trips through JSON', () => {
    const parsed = roundTrip(resnet);
    expect(parsed.layers).toHaveLength(11);
    expect(parsed.name).toBe('tiny-resnet');
  });

  it('fills documented defaults', () => {
    const spec = ModelSpec.parse({
      input: { channels: 1, height: 8, width: 8 },
      classes: 2,
      layers: [
        { kind: 'conv2d', filters: 4, kernelSize: 3 },
        { kind: 'batchNorm' },
        { kind: 'activation', fn: 'leakyRelu' },
        { kind: 'activation', fn: 'relu' },
        { kind: 'avgPool' },
        { kind: 'maxPool' },
        { kind: 'residual', body: [{ kind: 'activation', fn: 'identity' }] },
        { kind: 'flatten' },
        { kind: 'linear', units: 2 },
      ],
    });
    const [conv, bn, leaky, relu, avg, max, res, , lin] = spec.layers as Layer[];
    expect(conv).toEqual({
      kind: 'conv2d',
      filters: 4,
      kernelSize: 3,
      strides: 1,
      padding: 'same',
      dilations: 1,
      groups: 1,
      useBias: false,
    });
    expect(bn).toEqual({ kind: 'batchNorm', epsilon: 1e-5, momentum: 0.1 });
    expect(leaky).toEqual({ kind: 'activation', fn: 'leakyRelu', alpha: 0.01 });
    expect(relu).toStrictEqual({ kind: 'activation', fn: 'relu' });
    expect(avg).toStrictEqual({ kind: 'avgPool', poolSize: 2, padding: 'valid', ceilMode: false, countIncludePad: false });
    expect(max).toStrictEqual({ kind: 'maxPool', poolSize: 2, padding: 'valid', ceilMode: false });
    expect(res).toStrictEqual({ kind: 'residual', body: [{ kind: 'activation', fn: 'identity' }], shortcut: [] });
    expect(lin).toStrictEqual({ kind: 'linear', units: 2, useBias: false });
  });

  it('names a bad field inside a residual body by its full path', () => {
    const spec = clone(resnet) as { layers: Record<string, unknown>[] };
    spec.layers[4] = {
      kind: 'residual',
      body: [{ kind: 'conv2d', filters: -2, kernelSize: 3 }],
    };
    expect(errorLines(spec)).toEqual(['spec.json: layers.4.body.0.filters: expected a positive integer, got -2']);
  });

  it('rejects an unknown kind and lists the allowed kinds', () => {
    const lines = errorLines({
      input: { channels: 1, height: 4, width: 4 },
      classes: 2,
      layers: [{ kind: 'conv3d', filters: 2 }],
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^spec\.json: layers\.0\.kind: unknown kind "conv3d"; expected one of: /);
    for (const kind of ['conv2d', 'linear', 'avgPool', 'maxPool', 'globalAvgPool', 'flatten', 'batchNorm', 'dropout', 'activation', 'residual']) {
      expect(lines[0]).toContain(kind);
    }
  });

  it('reports a missing kind, a missing field and an unknown field', () => {
    const lines = errorLines({
      input: { channels: 1, height: 4, width: 4 },
      classes: 2,
      layers: [{ filters: 2 }, { kind: 'linear' }, { kind: 'flatten', stride: 2 }],
    });
    expect(lines).toContainEqual(expect.stringMatching(/^spec\.json: layers\.0\.kind: missing 'kind'; expected one of: conv2d, /));
    expect(lines).toContain('spec.json: layers.1.units: missing (expected a positive integer)');
    expect(lines).toContain('spec.json: layers.2.stride: unknown field');
  });

  it('points into int-or-pair and padding unions', () => {
    const lines = errorLines({
      input: { channels: 1, height: 4, width: 4 },
      classes: 2,
      layers: [
        { kind: 'conv2d', filters: 2, kernelSize: [3, 0] },
        { kind: 'conv2d', filters: 2, kernelSize: 3, padding: { top: 1, bottom: 1, left: 1 } },
        { kind: 'conv2d', filters: 2, kernelSize: 'big' },
        { kind: 'avgPool', padding: 'full' },
        { kind: 'conv2d', filters: 2, kernelSize: 3, padding: 5 },
      ],
    });
    expect(lines).toContain('spec.json: layers.0.kernelSize.1: expected a positive integer, got 0');
    expect(lines).toContain('spec.json: layers.1.padding.right: missing (expected a non-negative integer)');
    expect(lines).toContain(
      'spec.json: layers.2.kernelSize: expected a positive integer or a [height, width] pair of positive integers, got "big"',
    );
    expect(lines).toContain('spec.json: layers.3.padding: expected "valid", "same" or { top, bottom, left, right }, got "full"');
    expect(lines).toContain('spec.json: layers.4.padding: expected "same", "valid" or { top, bottom, left, right }, got 5');
  });

  it('rejects alpha on a non-leaky activation and a dropout rate of 1', () => {
    const lines = errorLines({
      input: { channels: 1, height: 4, width: 4 },
      classes: 16,
      layers: [{ kind: 'activation', fn: 'relu', alpha: 0.2 }, { kind: 'dropout', rate: 1 }, { kind: 'flatten' }],
    });
    expect(lines).toContain("spec.json: layers.0.alpha: alpha is not a parameter of fn 'relu'");
    expect(lines).toContain('spec.json: layers.1.rate: expected a number in [0, 1), got 1');
  });

  it('runs the shape check as part of parsing', () => {
    const lines = errorLines({
      input: { channels: 1, height: 28, width: 28 },
      classes: 10,
      layers: [{ kind: 'conv2d', filters: 4, kernelSize: 3 }, { kind: 'linear', units: 10 }],
    });
    expect(lines).toEqual([
      'spec.json: layers.1: the last layer (linear) outputs [28, 28, 10]; the model must end with [10] (flatten or globalAvgPool, then a linear layer with 10 units), or leave classes out for a feature-map output',
    ]);
  });

  it('rejects an empty residual body and unknown top-level fields', () => {
    const lines = errorLines({
      input: { channels: 1, height: 4, width: 4 },
      classes: 16,
      layers: [{ kind: 'residual', body: [] }, { kind: 'flatten' }],
      optimizer: 'adam',
    });
    expect(lines).toContain('spec.json: layers.0.body: a residual block needs at least one body layer, got []');
    expect(lines).toContain('spec.json: optimizer: unknown field');
  });
});

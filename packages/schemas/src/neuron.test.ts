import { describe, expect, it } from 'vitest';
import { FS_DEFAULT_K, NeuronSpec, SurrogateSpec } from './neuron.js';
import { parseWith } from './validate.js';
import { SpikeliteConfigError } from './errors.js';

function roundTrip<T>(schema: { parse(v: unknown): T }, input: unknown): T {
  const a = schema.parse(input);
  const json = JSON.parse(JSON.stringify(a)) as unknown;
  expect(json).toStrictEqual(a);
  expect(schema.parse(json)).toStrictEqual(a);
  return a;
}

function errorLines(schema: Parameters<typeof parseWith>[0], value: unknown): string[] {
  try {
    parseWith(schema, value, 'neuron');
  } catch (e) {
    expect(e).toBeInstanceOf(SpikeliteConfigError);
    return (e as Error).message.split('\n');
  }
  throw new Error('expected a validation error');
}

// SPEC §3a, fs_weights.py (sigmoid, K = 12).
const sigmoid = {
  h: [1.6558512, 1.0989026, 10.7739, 1.3579437, 1.0146959, 0.8972655, 2.1207616, 1.6949341, 3.6397197, -2.1483946, 5.1177883, 0],
  d: [0.37689912, 0.21977554, 0.40271342, 0.17005783, 0.09584032, 0.06293014, 0.04360681, -0.0443096, 0.01999909, 0.07107325, 0.01502249, 0.01021793],
  T: [-0.00824843, -0.9319625, 1.0080122, -1.2074932, -1.7885877, -2.7065408, -3.2715735, 0.07132628, -3.719372, -0.543918, -3.7693157, -5.5447803],
};

describe('SurrogateSpec', () => {
  it('fills each kind’s documented default', () => {
    expect(SurrogateSpec.parse({ kind: 'linear' })).toEqual({ kind: 'linear', gamma: 0.3 });
    expect(SurrogateSpec.parse({ kind: 'stdb' })).toEqual({ kind: 'stdb', alpha: 0.3, beta: 0.01 });
    expect(SurrogateSpec.parse({ kind: 'fastSigmoid' })).toEqual({ kind: 'fastSigmoid', slope: 10 });
    expect(SurrogateSpec.parse({ kind: 'arctan' })).toEqual({ kind: 'arctan', alpha: 2 });
    expect(SurrogateSpec.parse({ kind: 'triangle' })).toEqual({ kind: 'triangle', width: 1 });
    expect(SurrogateSpec.parse({ kind: 'rectangular' })).toEqual({ kind: 'rectangular', width: 1 });
    expect(SurrogateSpec.parse({ kind: 'straightThrough' })).toEqual({ kind: 'straightThrough' });
  });

  it('round-trips and rejects unknown kinds with the allowed list', () => {
    roundTrip(SurrogateSpec, { kind: 'stdb', alpha: 0.5, beta: 0.02 });
    expect(errorLines(SurrogateSpec, { kind: 'sigmoid' })).toEqual([
      'neuron: kind: unknown kind "sigmoid"; expected one of: linear, stdb, fastSigmoid, arctan, triangle, rectangular, straightThrough',
    ]);
    expect(errorLines(SurrogateSpec, { kind: 'linear', gamma: 0 })).toEqual(['neuron: gamma: expected a positive number, got 0']);
  });
});

describe('NeuronSpec', () => {
  it('round-trips a realistic example of every kind', () => {
    roundTrip(NeuronSpec, { kind: 'if', threshold: 0.8, reset: 'hard', surrogate: { kind: 'fastSigmoid', slope: 5 } });
    roundTrip(NeuronSpec, { kind: 'lif', leak: 0.95, granularity: 'channel', order: 'previous', leakMin: 0.5 });
    roundTrip(NeuronSpec, { kind: 'singleSpikeLif', afterSpike: 'freeze' });
    roundTrip(NeuronSpec, { kind: 'fs', activation: 'sigmoid', coefficients: sigmoid });
    roundTrip(NeuronSpec, { kind: 'general', projection: 'none' });
    roundTrip(NeuronSpec, { kind: 'integrator' });
  });

  it('fills the DIET LIF defaults (SPEC §4a)', () => {
    expect(NeuronSpec.parse({ kind: 'lif' })).toStrictEqual({
      kind: 'lif',
      leak: 1,
      threshold: 1,
      trainLeak: true,
      trainThreshold: true,
      granularity: 'layer',
      reset: 'soft',
      order: 'current',
      initialPotential: 0,
      leakMax: 1,
      leakMin: null,
      surrogate: { kind: 'linear', gamma: 0.3 },
    });
  });

  it('fills IF, single-spike, general and integrator defaults', () => {
    expect(NeuronSpec.parse({ kind: 'if' })).toStrictEqual({
      kind: 'if',
      threshold: 1,
      reset: 'soft',
      initialPotential: 0,
      surrogate: { kind: 'linear', gamma: 0.3 },
    });
    expect(NeuronSpec.parse({ kind: 'singleSpikeLif' })).toStrictEqual({
      kind: 'singleSpikeLif',
      leak: 1,
      threshold: 1,
      trainLeak: false,
      trainThreshold: true,
      afterSpike: 'reset',
      surrogate: { kind: 'stdb', alpha: 0.3, beta: 0.01 },
    });
    expect(NeuronSpec.parse({ kind: 'general' })).toStrictEqual({
      kind: 'general',
      decay: 0.4,
      threshold: 0.5,
      projection: 'sincos',
      surrogate: { kind: 'rectangular', width: 1 },
      windows: 4,
    });
    expect(NeuronSpec.parse({ kind: 'integrator' })).toStrictEqual({ kind: 'integrator' });
  });

  it('a partially given surrogate still gets its own defaults', () => {
    const n = NeuronSpec.parse({ kind: 'lif', surrogate: { kind: 'stdb', alpha: 1 } });
    expect(n.kind === 'lif' && n.surrogate).toEqual({ kind: 'stdb', alpha: 1, beta: 0.01 });
  });

  it('checks leak against leakMax and leakMin', () => {
    expect(errorLines(NeuronSpec, { kind: 'lif', leak: 1.2 })).toEqual(['neuron: leak: leak 1.2 is above leakMax 1']);
    expect(errorLines(NeuronSpec, { kind: 'lif', leak: 0.3, leakMin: 0.5 })).toEqual(['neuron: leak: leak 0.3 is below leakMin 0.5']);
    expect(errorLines(NeuronSpec, { kind: 'lif', leakMin: 2, leakMax: 1 })).toEqual(['neuron: leakMin: leakMin 2 is above leakMax 1']);
    expect(errorLines(NeuronSpec, { kind: 'lif', leakMin: 'none' })).toEqual(['neuron: leakMin: expected a number or null, got "none"']);
    // SPEC: no lower bound on λ by default.
    expect(NeuronSpec.parse({ kind: 'lif', leak: -0.5 })).toMatchObject({ leak: -0.5, leakMin: null });
  });

  it('fills FS K per activation (SPEC §3a)', () => {
    const k = (activation: string, extra: object = {}) => {
      const n = NeuronSpec.parse({ kind: 'fs', activation, ...extra });
      if (n.kind !== 'fs') throw new Error('expected fs');
      return n.K;
    };
    expect(k('relu')).toBe(10);
    expect(k('silu')).toBe(16);
    expect(k('sigmoid')).toBe(12);
    expect(FS_DEFAULT_K).toEqual({ relu: 10, silu: 16, sigmoid: 12 });
    expect(k('relu', { K: 6 })).toBe(6);
    expect(k('custom', { coefficients: { h: [1, 0], d: [1, 0.5], T: [1, 0.5] } })).toBe(2);
    const fs = NeuronSpec.parse({ kind: 'fs', activation: 'relu' });
    expect(fs.kind === 'fs' && fs.surrogate).toEqual({ kind: 'triangle', width: 1 });
  });

  it('checks FS coefficient lengths', () => {
    expect(errorLines(NeuronSpec, { kind: 'fs', activation: 'sigmoid', K: 10, coefficients: sigmoid })).toEqual([
      'neuron: coefficients.h: h has 12 values but K is 10',
      'neuron: coefficients.d: d has 12 values but K is 10',
      'neuron: coefficients.T: T has 12 values but K is 10',
    ]);
    expect(
      errorLines(NeuronSpec, { kind: 'fs', activation: 'custom', coefficients: { h: [1, 2], d: [1], T: [1, 2] } }),
    ).toEqual(['neuron: coefficients.d: d has 1 values but h has 2']);
    expect(errorLines(NeuronSpec, { kind: 'fs', activation: 'custom' })).toEqual([
      "neuron: coefficients: activation 'custom' needs coefficients { h, d, T }",
    ]);
    expect(errorLines(NeuronSpec, { kind: 'fs', activation: 'silu', K: 8 })).toEqual([
      'neuron: K: silu has stored coefficients only for K = 16; give coefficients for K = 8',
    ]);
  });

  it('rejects an unknown neuron kind and a bad enum value', () => {
    const [line] = errorLines(NeuronSpec, { kind: 'izhikevich' });
    expect(line).toBe('neuron: kind: unknown kind "izhikevich"; expected one of: if, lif, singleSpikeLif, fs, general, integrator, nirLif, nirIf, nirLi, nirI, nirCubaLif, nirCubaLi, nirThreshold');
    expect(errorLines(NeuronSpec, { kind: 'lif', order: 'next' })).toEqual([
      'neuron: order: expected one of "current", "previous", got "next"',
    ]);
  });
});

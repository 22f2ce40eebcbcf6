import { describe, expect, it } from 'vitest';
import { NeuronSpec } from './neuron.js';
import { parseWith } from './validate.js';

const parse = (v: unknown) => parseWith(NeuronSpec, v, 'neuron');

describe('NIR neuron specs', () => {
  it('fills defaults: r = 1, v_leak = 0, v_threshold = 1, v_reset = 0, w_in = 1, convention nir', () => {
    expect(parse({ kind: 'nirLif', tau: 0.0025, dt: 1e-4 })).toEqual({
      kind: 'nirLif', dt: 1e-4, convention: 'nir', tau: 0.0025, r: 1, vLeak: 0, vThreshold: 1, vReset: 0,
    });
    expect(parse({ kind: 'nirCubaLi', tauSyn: 1e-3, tauMem: [1e-3, 2e-3], dt: 1e-3 })).toMatchObject({ wIn: 1, r: 1, vLeak: 0 });
  });

  it('needs dt unless the convention implies one (snnTorch writes with dt = 1e-4)', () => {
    expect(() => parse({ kind: 'nirIf' })).toThrow("neuron: dt: required with convention 'nir': NIR files do not store the time step");
    expect(() => parse({ kind: 'nirIf', convention: 'norse' })).toThrow(/dt: required with convention 'norse'/);
    expect(parse({ kind: 'nirIf', convention: 'snntorch' })).toMatchObject({ dt: 1e-4 });
    expect(parse({ kind: 'nirIf', convention: 'snntorch', dt: 1e-3 })).toMatchObject({ dt: 1e-3 });
  });

  it('takes per-neuron arrays and names a bad field', () => {
    expect(parse({ kind: 'nirLi', tau: [1e-3, 2e-3], r: [1, 2], dt: 1e-4 })).toMatchObject({ tau: [1e-3, 2e-3], r: [1, 2] });
    expect(() => parse({ kind: 'nirLif', tau: [1e-3, 0], dt: 1e-4 })).toThrow(/neuron: tau(\.1)?: expected a positive number/);
    expect(() => parse({ kind: 'nirLif', tau: 1e-3, dt: 0 })).toThrow(/neuron: dt: expected a positive number/);
    expect(() => parse({ kind: 'nirLif', tau: 1e-3, dt: 1e-4, convention: 'brian' })).toThrow(/neuron: convention: /);
    expect(() => parse({ kind: 'nirI', dt: 1, beta: 0.9 })).toThrow(/neuron: beta: unknown field/);
  });

  it('Threshold: no dt, one threshold per neuron or for all', () => {
    expect(parse({ kind: 'nirThreshold', vThreshold: [0.5, 1] })).toEqual({ kind: 'nirThreshold', vThreshold: [0.5, 1] });
    expect(parse({ kind: 'nirThreshold' })).toEqual({ kind: 'nirThreshold', vThreshold: 0 });
    expect(() => parse({ kind: 'nirThreshold', dt: 1e-3 })).toThrow(/neuron: dt: unknown field/);
  });
});

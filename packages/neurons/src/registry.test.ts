import * as tf from '@tensorflow/tfjs-core';
import { NeuronSpec, type NeuronKind, type NeuronSpecInput } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../test/helpers.js';
import { createNeuronLayer, getNeuronDefinition, NEURON_KINDS, neuronRegistry } from './registry.js';
import type { StepNeuronLayer } from './types.js';

let uid = 0;
const ctx = (channels = 4) => ({ name: `reg${uid++}`, channels, timesteps: 5 });
const step = (spec: NeuronSpecInput, channels = 4) => createNeuronLayer(spec, ctx(channels)) as StepNeuronLayer;

/** The fields without defaults of the NIR kinds (their time constants; dt is given above). */
const NIR_REQUIRED: Partial<Record<NeuronKind, object>> = {
  nirLif: { tau: 1e-2 },
  nirLi: { tau: 1e-2 },
  nirCubaLif: { tauSyn: 1e-2, tauMem: 1e-2 },
  nirCubaLi: { tauSyn: 1e-2, tauMem: 1e-2 },
};

describe('neuron registry', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('has one definition per NeuronSpec kind, keyed by its kind', () => {
    // A Record over NeuronKind: the compiler fails here when the schema gains a kind.
    const all: Record<NeuronKind, true> = {
      if: true, lif: true, singleSpikeLif: true, integrator: true, fs: true, general: true,
      nirLif: true, nirIf: true, nirLi: true, nirI: true, nirCubaLif: true, nirCubaLi: true, nirThreshold: true,
    };
    expect([...NEURON_KINDS].sort()).toEqual(Object.keys(all).sort());
    for (const k of NEURON_KINDS) {
      const spec = k === 'fs' ? { kind: k, activation: 'relu' } : k === 'nirThreshold' ? { kind: k } : k.startsWith('nir') ? { kind: k, dt: 1e-3, ...NIR_REQUIRED[k] } : { kind: k };
      expect(NeuronSpec.safeParse(spec).success).toBe(true);
    }
    for (const [k, def] of Object.entries(neuronRegistry)) expect(def.kind).toBe(k);
  });

  it('names the known kinds for an unknown one', () => {
    expect(() => getNeuronDefinition('izhikevich')).toThrow(
      "unknown neuron kind 'izhikevich' (known kinds: if, lif, singleSpikeLif, integrator, fs, general, nirLif, nirIf, nirLi, nirI, nirCubaLif, nirCubaLi, nirThreshold)",
    );
    expect(() => createNeuronLayer({ kind: 'izhikevich' } as unknown as NeuronSpecInput, ctx())).toThrow(/known kinds/);
  });

  it('validates the spec and names the bad field', () => {
    expect(() => createNeuronLayer({ kind: 'lif', leak: 2 }, ctx())).toThrow(/leak.*above leakMax/);
    expect(() => createNeuronLayer({ kind: 'lif', threshold: -1 }, ctx())).toThrow(/threshold/);
  });

  it('declares what energy accounting and training need', () => {
    expect(getNeuronDefinition('singleSpikeLif').maxSpikesPerImage).toBe(1);
    expect(getNeuronDefinition('integrator').spiking).toBe(false);
    expect(getNeuronDefinition('lif').updateOps).toEqual({ mul: 1, add: 2, compare: 1 });
    expect(getNeuronDefinition('if').updateOps.mul).toBe(0);
    expect(getNeuronDefinition('fs').gradedSpikes).toBe(true);
  });

  it('LIF: named trainable variables, per-channel shapes, constrain clamps λ', () => {
    const l = step({ kind: 'lif', granularity: 'channel', leak: 0.9, leakMin: 0.2 });
    // tfjs names are global, so each carries a unique `n<k>:` prefix before the layer name.
    const names = l.variables.map((v) => v.name);
    expect(names[0]!.endsWith(`:${l.name}/leak`)).toBe(true);
    expect(names[1]!.endsWith(`:${l.name}/threshold`)).toBe(true);
    const again = step({ kind: 'lif', granularity: 'channel' });
    expect(again.variables[0]!.name).not.toBe(names[0]);
    expect(l.variables.map((v) => v.shape)).toEqual([[4], [4]]);
    expect(l.getParameter('leak').map((v) => Math.round(v * 100) / 100)).toEqual([0.9, 0.9, 0.9, 0.9]);
    l.setParameter('leak', [1.5, -1, 0.5, 1]);
    l.constrain();
    expect(l.getParameter('leak')).toEqual([1, Math.fround(0.2), 0.5, 1]);
    expect(() => l.setParameter('leak', [1, 2])).toThrow(/expected 4 values/);
    expect(() => l.setParameter('gain', 1)).toThrow(/unknown parameter 'gain'/);
    expect(() => l.initState([2, 3])).toThrow(/4 channels.*last axis is 3/);
    l.dispose();
  });

  it('LIF without trainLeak trains only θ; without leakMin λ is only capped', () => {
    const l = step({ kind: 'lif', trainLeak: false });
    expect(l.variables.map((v) => v.name.replace(/^n\d+:/, ''))).toEqual([`${l.name}/threshold`]);
    l.setParameter('leak', -3);
    l.constrain();
    expect(l.getParameter('leak')).toEqual([-3]);
    l.dispose();
  });

  it('IF has no leak; single-spike and integrator layers', () => {
    const i = step({ kind: 'if' });
    expect(i.variables.map((v) => v.name.replace(/^n\d+:/, ''))).toEqual([`${i.name}/threshold`]);
    expect(() => i.setParameter('leak', 1)).toThrow(/no leak/);
    i.setParameter('threshold', 0.25);
    expect(i.getParameter('threshold')).toEqual([0.25]);
    i.dispose();
    const s = step({ kind: 'singleSpikeLif' });
    expect(s.variables.map((v) => v.name.replace(/^n\d+:/, ''))).toEqual([`${s.name}/threshold`]); // SPEC §1a: θ only
    s.dispose();
    const o = step({ kind: 'integrator' });
    expect(o.variables).toEqual([]);
    expect(() => o.getParameter('threshold')).toThrow(/no parameter/);
    const before = tf.memory().numTensors;
    o.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('disposing a layer frees its variables (the name can be reused)', () => {
    const c = ctx();
    const before = tf.memory().numTensors;
    const a = createNeuronLayer({ kind: 'lif' }, c) as StepNeuronLayer;
    expect(tf.memory().numTensors).toBe(before + 2);
    a.dispose();
    expect(tf.memory().numTensors).toBe(before);
    createNeuronLayer({ kind: 'lif' }, c).dispose();
  });
});

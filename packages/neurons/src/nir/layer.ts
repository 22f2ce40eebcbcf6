/**
 * The layer behind every NIR neuron kind: holds the per-neuron parameters (numbers or
 * arrays from the spec, one value per feature), turns them into the step's coefficients
 * for the input's feature shape, and calls nirNeuronStep. Nothing trains (no variables).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NirCubaLiNeuron, NirCubaLifNeuron, NirIfNeuron, NirINeuron, NirLiNeuron, NirLifNeuron, NirThresholdNeuron } from '@spikelite/schemas';
import type { NeuronContext, NeuronState, StepNeuronLayer, StepResult } from '../types.js';
import { integratorGain } from './conventions.js';
import { nirNeuronInitState, nirNeuronStep, type NirNeuronState, type NirStepParams } from './step.js';

export type NirNeuronSpec = NirLifNeuron | NirIfNeuron | NirLiNeuron | NirINeuron | NirCubaLifNeuron | NirCubaLiNeuron | NirThresholdNeuron;
type Values = number | readonly number[];

/** The parameter names of each kind (the spec's fields), for get/setParameter. */
const PARAMS: { readonly [K in NirNeuronSpec['kind']]: readonly string[] } = {
  nirLif: ['tau', 'r', 'vLeak', 'vThreshold', 'vReset'],
  nirIf: ['r', 'vThreshold', 'vReset'],
  nirLi: ['tau', 'r', 'vLeak'],
  nirI: ['r'],
  nirCubaLif: ['tauSyn', 'tauMem', 'r', 'vLeak', 'vThreshold', 'vReset', 'wIn'],
  nirCubaLi: ['tauSyn', 'tauMem', 'r', 'vLeak', 'wIn'],
  nirThreshold: ['vThreshold'],
};

export class NirNeuronLayer implements StepNeuronLayer {
  readonly mode = 'step' as const;
  readonly name: string;
  readonly variables: readonly tf.Variable[] = [];
  private current: NirNeuronSpec;
  private cache: { key: string; params: NirStepParams } | undefined;

  constructor(spec: NirNeuronSpec, ctx: NeuronContext) {
    this.current = spec;
    this.name = ctx.name;
  }

  get spec(): NirNeuronSpec {
    return this.current;
  }

  initState(shape: readonly number[]): NeuronState {
    this.params(shape.slice(1)); // checks the parameter sizes against the features now
    return nirNeuronInitState(shape, this.current.kind === 'nirCubaLif' || this.current.kind === 'nirCubaLi');
  }

  step(input: tf.Tensor, state: NeuronState): StepResult {
    return nirNeuronStep(input, state as NirNeuronState, this.params(input.shape.slice(1)));
  }

  constrain(): void {}

  /** 'threshold' is an alias of vThreshold (what conversion sets). */
  setParameter(name: string, value: Values): void {
    const key = this.paramName(name);
    this.release();
    this.current = { ...this.current, [key]: typeof value === 'number' ? value : [...value] } as NirNeuronSpec;
  }

  getParameter(name: string): number[] {
    const v = (this.current as unknown as Record<string, Values>)[this.paramName(name)]!;
    return typeof v === 'number' ? [v] : [...v];
  }

  dispose(): void {
    this.release();
  }

  private paramName(name: string): string {
    const names = PARAMS[this.current.kind];
    const key = name === 'threshold' && names.includes('vThreshold') ? 'vThreshold' : name;
    if (!names.includes(key)) throw new Error(`${this.name}: a ${this.current.kind} neuron has no parameter '${name}' (it has ${names.join(', ')})`);
    return key;
  }

  private release(): void {
    if (this.cache === undefined) return;
    for (const t of tensorsOf(this.cache.params)) t.dispose();
    this.cache = undefined;
  }

  /** The step's coefficients for inputs with these features, built once per feature shape. */
  private params(features: readonly number[]): NirStepParams {
    const key = features.join('x');
    if (this.cache?.key === key) return this.cache.params;
    this.release();
    const s = this.current as NirNeuronSpec & Record<string, Values>;
    const n = features.reduce((a, b) => a * b, 1);
    const values = (field: string): number[] => {
      const v = s[field]!;
      const list = typeof v === 'number' ? [v] : [...v];
      if (list.length !== 1 && list.length !== n) {
        throw new Error(`${this.name}: ${field} has ${list.length} values but the layer has ${n} neurons (features [${features.join(', ')}])`);
      }
      return list;
    };
    // Kept: the cache outlives the tf.tidy a model wraps around its steps; dispose() frees it.
    const tensor = (list: number[]) => tf.keep(list.length === 1 ? tf.scalar(list[0]!) : tf.tensor(list, [...features]));
    const map = (field: string, f: (x: number) => number) => tensor(values(field).map(f));
    const leaky = s.kind === 'nirLif' || s.kind === 'nirLi';
    const cuba = s.kind === 'nirCubaLif' || s.kind === 'nirCubaLi';
    const spiking = s.kind === 'nirLif' || s.kind === 'nirIf' || s.kind === 'nirCubaLif' || s.kind === 'nirThreshold';
    const tauField = leaky ? 'tau' : 'tauMem';
    const dt = s.kind === 'nirThreshold' ? 1 : s.dt;
    // Coefficients in float64 from the spec's numbers; each is rounded to float32 once (step.ts).
    const kOf = (field: string) => (leaky || cuba ? values(field).map((tau) => dt / tau) : []);
    const k = kOf(tauField);
    const times = (a: number[], b: number[]): number[] => (a.length >= b.length ? a.map((x, j) => x * b[b.length === 1 ? 0 : j]!) : times(b, a));
    const vLeak = leaky || cuba ? times(k, values('vLeak')) : [0];
    let gain: number[];
    if (s.kind === 'nirThreshold') gain = [1];
    else if (leaky || cuba) gain = times(k, values('r'));
    else gain = values('r').map((r) => integratorGain(r, dt, (s as NirIfNeuron | NirINeuron).convention));
    const kSyn = cuba ? kOf('tauSyn') : [];
    const params: NirStepParams = {
      beta: leaky || cuba ? tensor(k.map((x) => 1 - x)) : null,
      gain: tensor(gain),
      bias: vLeak.every((c) => c === 0) ? null : tensor(vLeak),
      memory: s.kind !== 'nirThreshold',
      vThreshold: spiking ? map('vThreshold', (x) => x) : null,
      vReset: s.kind === 'nirThreshold' ? tensor([0]) : spiking ? map('vReset', (x) => x) : null,
      synapse: cuba ? { beta: tensor(kSyn.map((x) => 1 - x)), gain: tensor(times(kSyn, values('wIn'))) } : null,
    };
    this.cache = { key, params };
    return params;
  }
}

function tensorsOf(p: NirStepParams): tf.Tensor[] {
  return [p.beta, p.gain, p.bias, p.vThreshold, p.vReset, p.synapse?.beta, p.synapse?.gain].filter((t): t is tf.Tensor => t != null);
}

/**
 * The spikelite neuron spec a NIR neuron node maps to (the `nir*` kinds of
 * @spikelite/neurons): the node's parameter arrays become per-neuron lists (a list whose
 * values are all equal becomes one number), with the step dt and framework convention the
 * caller chooses (NIR files store neither).
 */
import type { NeuronSpecInput, NirConvention } from '@spikelite/schemas';
import type { NirCubaLI, NirCubaLIF, NirI, NirIF, NirLI, NirLIF, NirThreshold } from './schema.js';
import { sizeOf, type NirTensor } from './tensor.js';

/** The NIR nodes that become a layer of neurons (Threshold: a stateless spiking one). */
export type NirNeuronNode = NirLIF | NirIF | NirLI | NirI | NirCubaLIF | NirCubaLI | NirThreshold;

const NEURON_TYPES = new Set<string>(['LIF', 'IF', 'LI', 'I', 'CubaLIF', 'CubaLI', 'Threshold']);
const SPIKING_TYPES = new Set<string>(['LIF', 'IF', 'CubaLIF', 'Threshold']);

export const isNirNeuron = (node: { readonly type: string }): node is NirNeuronNode => NEURON_TYPES.has(node.type);
/** Whether a neuron node outputs spikes (else its membrane: LI, I, CubaLI). */
export const isSpikingNirNeuron = (node: { readonly type: string }): boolean => SPIKING_TYPES.has(node.type);

export interface NirNeuronSpecOptions {
  /** Seconds per step; optional only with the 'snntorch' convention (1e-4). */
  readonly dt?: number;
  readonly convention?: NirConvention;
  /**
   * Order of per-neuron values: 'nir' keeps NIR's (C, H, W); 'channelsLast' moves the first
   * axis last, (H, W, C), as spikelite's NHWC layers hold their features.
   */
  readonly layout?: 'nir' | 'channelsLast';
}

/** The neuron shape of a node: the shape of its largest parameter (others broadcast). */
export function neuronShape(node: NirNeuronNode): number[] {
  const tensors = Object.values(node).filter((v): v is NirTensor => typeof v === 'object' && v !== null && 'data' in v);
  return [...tensors.reduce((a, b) => (sizeOf(b.shape) > sizeOf(a.shape) ? b : a)).shape];
}

function values(t: NirTensor, layout: 'nir' | 'channelsLast'): number | number[] {
  const xs = Array.from(t.data);
  if (xs.every((x) => x === xs[0])) return xs[0]!;
  if (layout === 'nir' || t.shape.length < 2) return xs;
  // (C, ...rest) → (...rest, C)
  const [c, ...rest] = t.shape as [number, ...number[]];
  const inner = sizeOf(rest);
  const out = new Array<number>(xs.length);
  for (let ch = 0; ch < c; ch++) for (let j = 0; j < inner; j++) out[j * c + ch] = xs[ch * inner + j]!;
  return out;
}

type Values = (t: NirTensor) => number | number[];
type Base = { dt?: number; convention: NirConvention };

/** NIR type → spikelite neuron spec (one line per neuron type). */
const NEURON_SPECS: { readonly [T in NirNeuronNode['type']]: (node: Extract<NirNeuronNode, { type: T }>, v: Values, base: Base) => NeuronSpecInput } = {
  LIF: (n, v, b) => ({ kind: 'nirLif', ...b, tau: v(n.tau), r: v(n.r), vLeak: v(n.v_leak), vThreshold: v(n.v_threshold), vReset: v(n.v_reset) }),
  IF: (n, v, b) => ({ kind: 'nirIf', ...b, r: v(n.r), vThreshold: v(n.v_threshold), vReset: v(n.v_reset) }),
  LI: (n, v, b) => ({ kind: 'nirLi', ...b, tau: v(n.tau), r: v(n.r), vLeak: v(n.v_leak) }),
  I: (n, v, b) => ({ kind: 'nirI', ...b, r: v(n.r) }),
  CubaLIF: (n, v, b) => ({
    kind: 'nirCubaLif',
    ...b,
    tauSyn: v(n.tau_syn),
    tauMem: v(n.tau_mem),
    r: v(n.r),
    vLeak: v(n.v_leak),
    vThreshold: v(n.v_threshold),
    vReset: v(n.v_reset),
    wIn: v(n.w_in),
  }),
  CubaLI: (n, v, b) => ({ kind: 'nirCubaLi', ...b, tauSyn: v(n.tau_syn), tauMem: v(n.tau_mem), r: v(n.r), vLeak: v(n.v_leak), wIn: v(n.w_in) }),
  // Nothing integrates: no dt, no convention.
  Threshold: (n, v) => ({ kind: 'nirThreshold', vThreshold: v(n.threshold) }),
};

export function nirNeuronSpec(node: NirNeuronNode, options: NirNeuronSpecOptions = {}): NeuronSpecInput {
  const layout = options.layout ?? 'nir';
  const base: Base = { ...(options.dt === undefined ? {} : { dt: options.dt }), convention: options.convention ?? 'nir' };
  const make = NEURON_SPECS[node.type] as (n: NirNeuronNode, v: Values, b: Base) => NeuronSpecInput;
  return make(node, (t) => values(t, layout), base);
}

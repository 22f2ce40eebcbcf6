/** The general-SNN neuron kind for the registry (SPEC §2a). */
import type { NeuronDefinition } from '../types.js';
import { GeneralLayer } from './layer.js';

export const generalNeuron: NeuronDefinition<'general'> = {
  kind: 'general',
  description:
    'general-SNN neuron (2024, SPEC §2a): one timestep, u = decay·u_in + I with u_in = 2·sin((π/4)·m_a·cos((π/4)·m_b)) over windows g1..g4 in sequence, s = H(u − 0.5), hard reset, rectangular surrogate',
  create(spec, ctx) {
    return new GeneralLayer(spec, ctx.name);
  },
  // Per neuron and step with the default 'sincos' projection: decay·u_prev and the (1 − s) reset
  // (2 mul); P = 2·sin(π/4·m_a·cos(π/4·m_b)) scaled by decay: π/4·m_b, cos, ·m_a, ·π/4, sin,
  // ·2·decay (6 mul, sin and cos counted as one mul each, a lower bound); + I and + projection
  // (2 add); one compare. Projection 'none' needs only 2 mul, 1 add, 1 compare.
  updateOps: { mul: 8, add: 2, compare: 1 },
  // At most one per timestep; the kind itself guarantees no per-image bound (T is the run's).
  maxSpikesPerImage: null,
  gradedSpikes: false,
  spiking: true,
};

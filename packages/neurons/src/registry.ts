/**
 * The neuron registry (DESIGN "Conventions": a registry, not switches). Each kind declares
 * what training, conversion and energy accounting need of it. Adding a neuron is one file
 * exporting a {@link NeuronDefinition} and one line in `neuronRegistry`.
 */
import { NeuronSpec, parseWith, type NeuronSpecInput } from '@spikelite/schemas';
import { fsNeuron } from './fs/definition.js';
import { generalNeuron } from './general/definition.js';
import { ifNeuron } from './if.js';
import { integratorNeuron } from './integrator.js';
import { lifNeuron } from './lif.js';
import { nirCubaLiNeuron, nirCubaLifNeuron, nirIfNeuron, nirINeuron, nirLiNeuron, nirLifNeuron, nirThresholdNeuron } from './nir/index.js';
import { singleSpikeLifNeuron } from './single-spike-lif.js';
import type { NeuronContext, NeuronDefinition, NeuronLayer } from './types.js';

type NeuronKind = NeuronSpec['kind'];

/** kind → definition, for every NeuronSpec kind. */
export const neuronRegistry: { readonly [K in NeuronKind]: NeuronDefinition<K> } = {
  if: ifNeuron,
  lif: lifNeuron,
  singleSpikeLif: singleSpikeLifNeuron,
  integrator: integratorNeuron,
  fs: fsNeuron,
  general: generalNeuron,
  nirLif: nirLifNeuron,
  nirIf: nirIfNeuron,
  nirLi: nirLiNeuron,
  nirI: nirINeuron,
  nirCubaLif: nirCubaLifNeuron,
  nirCubaLi: nirCubaLiNeuron,
  nirThreshold: nirThresholdNeuron,
};

/** The registered kinds, in registry order. */
export const NEURON_KINDS = Object.keys(neuronRegistry) as NeuronKind[];

/** The definition of `kind`; a clear error naming the known kinds otherwise. */
export function getNeuronDefinition<K extends NeuronKind>(kind: K): NeuronDefinition<K>;
export function getNeuronDefinition(kind: string): NeuronDefinition;
export function getNeuronDefinition(kind: string): NeuronDefinition {
  if (!Object.prototype.hasOwnProperty.call(neuronRegistry, kind)) {
    throw new Error(`unknown neuron kind '${kind}' (known kinds: ${NEURON_KINDS.join(', ')})`);
  }
  return neuronRegistry[kind as NeuronKind] as unknown as NeuronDefinition;
}

/**
 * Validate `spec` (defaults filled; a bad field is a SpikeliteConfigError naming it) and
 * create its layer.
 */
export function createNeuronLayer(spec: NeuronSpecInput | NeuronSpec, ctx: NeuronContext): NeuronLayer {
  const kind = (spec as { kind?: unknown }).kind;
  if (typeof kind === 'string') getNeuronDefinition(kind); // unknown kind: the registry's error
  const parsed = parseWith(NeuronSpec, spec, `neuron '${ctx.name}'`);
  const def = getNeuronDefinition(parsed.kind) as NeuronDefinition;
  return def.create(parsed as never, ctx);
}

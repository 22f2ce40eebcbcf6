/**
 * Operation counts and compute energy of a network run as an ANN and as an SNN, per SPEC
 * "Energy accounting": ANN E = E_MAC·Σ F_l; SNN layer l costs F_l·ζ accumulates, where ζ is
 * the spikes per neuron per image (over all T) of the neurons feeding it, and the first
 * layer costs MACs for every timestep whose input is analog. Pooling, neuron updates and
 * memory are not counted (the papers' "compute energy").
 */
import type { CompiledGraph, Source } from '@spikelite/models';
import type { EnergyProfile } from '@spikelite/schemas';

export interface LayerOps {
  layer: string;
  /** ANN multiply-accumulates per image. */
  annMacs: number;
  /** SNN accumulates per image (a binary spike times a weight). */
  snnAcs: number;
  /** SNN multiply-accumulates per image (analog or graded inputs). */
  snnMacs: number;
  snnPj: number;
}

export interface EnergyInput {
  graph: CompiledGraph;
  /** Spikes per neuron per image over all timesteps, for each activation layer (ζ). */
  spikesPerNeuron: readonly number[];
  /**
   * How the first layer's input was fed: `analogSteps` timesteps of analog values (MACs each)
   * and, on the other steps, `inputSpikesPerElement` spikes per input element per image (ACs).
   * Direct encoding: analogSteps = T; hybrid: 1 and the temporal spikes; rate: 0.
   */
  input: { analogSteps: number; inputSpikesPerElement: number };
  /** True when spikes carry graded values (FS neurons: d(t)): their inputs then cost MACs. */
  gradedSpikes?: boolean;
  profile: EnergyProfile;
}

export interface EnergyReport {
  profile: string;
  annPj: number;
  snnPj: number;
  /** annPj / snnPj; 0 when snnPj is 0 (JSON has no Infinity). */
  ratio: number;
  perLayer: LayerOps[];
}

/** MACs per image of each weight layer (conv: kh·kw·Cin·Cout·Hout·Wout; linear: in·out). */
export function macsPerLayer(graph: CompiledGraph): Array<{ layer: string; macs: number; source: Source }> {
  const shapes = new Map(graph.params.map((p) => [p.name, p.shape] as const));
  return graph.weightLayers.map((n) => {
    const k = shapes.get(n.kernel)!;
    const macs = n.op === 'linear' ? k[0]! * k[1]! : k[0]! * k[1]! * k[2]! * k[3]! * n.output[0]! * n.output[1]!;
    return { layer: n.path, macs, source: n.source };
  });
}

/** ζ of a weight layer's source; a residual sum of several activations takes their mean (documented approximation). */
function zeta(source: Source, spikes: readonly number[]): number {
  if (source.kind === 'activation') return spikes[source.index] ?? 0;
  if (source.kind === 'mixed') return source.indices.reduce((a, i) => a + (spikes[i] ?? 0), 0) / source.indices.length;
  return 0;
}

export function computeEnergy(input: EnergyInput): EnergyReport {
  const { profile } = input;
  const perLayer = macsPerLayer(input.graph).map(({ layer, macs, source }) => {
    let snnMacs = 0;
    let snnAcs = 0;
    if (source.kind === 'input') {
      snnMacs = macs * input.input.analogSteps;
      snnAcs = macs * input.input.inputSpikesPerElement;
    } else if (input.gradedSpikes) {
      snnMacs = macs * zeta(source, input.spikesPerNeuron);
    } else {
      snnAcs = macs * zeta(source, input.spikesPerNeuron);
    }
    return { layer, annMacs: macs, snnAcs, snnMacs, snnPj: snnMacs * profile.macPj + snnAcs * profile.acPj };
  });
  const annPj = perLayer.reduce((a, l) => a + l.annMacs, 0) * profile.macPj;
  const snnPj = perLayer.reduce((a, l) => a + l.snnPj, 0);
  return { profile: profile.name, annPj, snnPj, ratio: snnPj > 0 ? annPj / snnPj : 0, perLayer };
}

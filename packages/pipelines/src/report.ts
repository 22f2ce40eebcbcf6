/** RunReport assembly (DESIGN.md "RunReport"), validated against the shared schema. */
import { computeEnergy } from '@spikelite/energy';
import type { CompiledGraph, SnnModel } from '@spikelite/models';
import { getNeuronDefinition } from '@spikelite/neurons';
import { DEFAULT_ENERGY_PROFILE, parseWith, RunReport, type EnergyProfile, type Preprocess } from '@spikelite/schemas';
import type { EvalResult } from '@spikelite/training';

export interface ReportInput {
  command: RunReport['command'];
  method: RunReport['method'];
  dataset: { name: string; trainSize: number; testSize: number };
  /** T, or K for FS neurons (reportedSteps); 1 for an ANN. */
  timesteps: number;
  backend: string;
  /** The measurement on the test set (`evaluate`): accuracy, spikes, input spikes, input events. */
  result: EvalResult;
  annAccuracy: number | null;
  graph: CompiledGraph;
  /** FS neurons: spikes carry values, the next layer does MACs. */
  gradedSpikes?: boolean;
  profile?: EnergyProfile;
  wallMs: number;
  /** The image preprocessing the data was read with (folder:/list: datasets). */
  preprocess?: Preprocess | undefined;
  /** An imported model's input options (dynamic axes, mean and std), recorded in the report. */
  modelInput?: { shape?: number[] | undefined; mean?: number[] | undefined; std?: number[] | undefined };
}

/** T of the run, or for an SNN of FS neurons (one model step of K internal steps each) the largest K. */
export function reportedSteps(snn: SnnModel): number {
  const blocks = snn.neurons.flatMap((n) => (n.mode === 'block' ? [n.steps] : []));
  return blocks.length > 0 ? Math.max(...blocks) : snn.timesteps;
}

/** True when any neuron layer sends graded spikes (FS: d(t)). */
export function gradedSpikesOf(snn: SnnModel): boolean {
  return snn.neurons.some((n) => getNeuronDefinition(n.spec.kind).gradedSpikes);
}

/**
 * The RunReport of a measured run. An SNN is costed from its measured spikes and input (layer
 * 1's analog steps and input spikes, as `evaluate` counted them); an ANN (`method` ann) as
 * itself: every layer's MACs once, ratio 1.
 */
export function buildRunReport(r: ReportInput): RunReport {
  const profile = r.profile ?? DEFAULT_ENERGY_PROFILE;
  const isAnn = r.method === 'ann';
  const perLayerSpikes = r.result.perLayer ?? r.graph.activations.map((a) => ({ neurons: a.input.reduce((x, y) => x * y, 1), spikesPerNeuron: 0 }));
  const T = r.timesteps;
  const input = isAnn || !r.result.input ? { analogSteps: 1, inputSpikesPerElement: 0 } : r.result.input;
  const energy = computeEnergy({
    graph: r.graph,
    spikesPerNeuron: perLayerSpikes.map((l) => l.spikesPerNeuron),
    input,
    gradedSpikes: isAnn || r.gradedSpikes === true,
    ...(!isAnn && r.result.inputEventsPerElement ? { inputEventsPerElement: r.result.inputEventsPerElement } : {}),
    profile,
  });
  if (isAnn) {
    for (const l of energy.perLayer) {
      l.snnMacs = l.annMacs;
      l.snnAcs = 0;
      l.snnPj = l.annMacs * profile.macPj;
    }
    energy.snnPj = energy.annPj;
    energy.ratio = 1;
  }
  const perNeuron = r.result.spikesPerNeuron ?? 0;
  return parseWith(
    RunReport,
    {
      schemaVersion: 1,
      command: r.command,
      method: r.method,
      dataset: r.dataset,
      timesteps: T,
      backend: r.backend,
      accuracy: r.result.accuracy,
      annAccuracy: r.annAccuracy,
      spikes: {
        perNeuron,
        rate: perNeuron / T,
        perLayer: r.graph.activations.map((a, i) => ({
          layer: a.path,
          neurons: perLayerSpikes[i]!.neurons,
          spikesPerNeuron: perLayerSpikes[i]!.spikesPerNeuron,
          rate: perLayerSpikes[i]!.spikesPerNeuron / T,
        })),
      },
      energy,
      wallMs: Math.round(r.wallMs),
      ...(r.preprocess !== undefined ? { preprocess: r.preprocess } : {}),
      ...(r.modelInput !== undefined ? { modelInput: Object.fromEntries(Object.entries(r.modelInput).filter(([, v]) => v !== undefined)) } : {}),
    },
    'RunReport',
  );
}

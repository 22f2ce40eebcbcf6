/** RunReport assembly (DESIGN.md "RunReport"), validated against the shared schema. */
import type { ConversionResult } from '@spikelite/conversion';
import type { ImageSet } from '@spikelite/data';
import { computeEnergy, ENERGY_PROFILE_NAMES, loadEnergyProfile } from '@spikelite/energy';
import type { CompiledGraph } from '@spikelite/models';
import { DEFAULT_ENERGY_PROFILE, parseWith, RunReport, type EnergyProfile } from '@spikelite/schemas';
import { evaluate, snnTarget, type EvalResult } from '@spikelite/training';
import { CliError } from './errors.js';

/** Help line of the `--profile` flag of commands that print a RunReport. */
export const PROFILE_HELP = `--profile P          energy profile: ${ENERGY_PROFILE_NAMES.join(' (default), ')} or a JSON file
                       { "name", "macPj", "acPj", "neuronUpdatePj"?, "memoryPj"? }`;

/** `--profile P`: a built-in profile name or a profile JSON file (default cmos45nm-fp32). */
export async function profileFlag(raw: string | undefined): Promise<EnergyProfile> {
  if (raw === undefined) return { ...DEFAULT_ENERGY_PROFILE };
  try {
    return await loadEnergyProfile(raw);
  } catch (e) {
    if ((e as Error).name === 'SpikeliteConfigError') throw new CliError(`--profile: ${(e as Error).message}`);
    throw e;
  }
}

export interface ReportInput {
  command: RunReport['command'];
  method: RunReport['method'];
  dataset: { name: string; trainSize: number; testSize: number };
  timesteps: number;
  backend: string;
  result: EvalResult;
  annAccuracy: number | null;
  graph: CompiledGraph;
  /** How layer 1 was fed (see @spikelite/energy EnergyInput.input); ignored for an ANN. */
  input: { analogSteps: number; inputSpikesPerElement: number };
  gradedSpikes?: boolean;
  profile?: EnergyProfile;
  wallMs: number;
}

export function buildReport(r: ReportInput): RunReport {
  const profile = r.profile ?? DEFAULT_ENERGY_PROFILE;
  const isAnn = r.method === 'ann';
  const perLayerSpikes = r.result.perLayer ?? r.graph.activations.map((a) => ({ neurons: a.input.reduce((x, y) => x * y, 1), spikesPerNeuron: 0 }));
  const T = r.timesteps;
  // An ANN is costed as itself: every layer's MACs once.
  const energy = computeEnergy({
    graph: r.graph,
    spikesPerNeuron: perLayerSpikes.map((l) => l.spikesPerNeuron),
    input: isAnn ? { analogSteps: 1, inputSpikesPerElement: 0 } : r.input,
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
    },
    'RunReport',
  );
}

/**
 * The RunReport of a converted SNN on `test`: the fine-tune's final evaluation when the recipe
 * fine-tuned (it ran on `test` already), else one evaluation here.
 */
export function conversionReport(
  result: ConversionResult,
  test: ImageSet,
  r: Pick<ReportInput, 'method' | 'dataset' | 'backend' | 'annAccuracy'> & { startedAt: number },
): RunReport {
  const ev = result.info.finetune ?? evaluate(snnTarget(result.snn, { kind: 'ce', on: 'final', labelSmoothing: 0 }), test);
  return buildReport({
    command: 'convert', method: r.method, dataset: r.dataset, timesteps: result.info.steps, backend: r.backend,
    result: ev, annAccuracy: r.annAccuracy, graph: result.network.graph, input: result.info.input,
    gradedSpikes: result.info.gradedSpikes, wallMs: performance.now() - r.startedAt,
  });
}

/**
 * `sweep(net, recipe, steps, options)`: the accuracy / spikes / energy trade-off over T (or K
 * for FS). Thresholds are calibrated once and reused at every T (they do not depend on T).
 */
import type { ImageSet } from '@spikelite/data';
import { computeEnergy } from '@spikelite/energy';
import type { Network } from '@spikelite/models';
import { ConversionRecipe, DEFAULT_ENERGY_PROFILE, parseWith, type ConversionRecipeInput, type EnergyProfile } from '@spikelite/schemas';
import { evaluate, snnTarget, type EvalResult } from '@spikelite/training';
import { convert, type ConversionResult, type ConvertOptions } from './convert.js';

export interface SweepRow {
  /** T (threshold, diet) or K (fs). */
  steps: number;
  accuracy: number;
  /** Spikes per hidden neuron per image over all steps. */
  spikesPerNeuron: number;
  perLayer: Array<{ neurons: number; spikesPerNeuron: number }>;
  /** Spikes reaching each weight layer per input element per image (EvalResult.inputEventsPerElement), or null. */
  inputEventsPerElement: number[] | null;
  energy: { profile: string; annPj: number; snnPj: number; ratio: number };
  /** Conversion (incl. fine-tuning) and test evaluation. */
  wallMs: number;
}

export interface SweepOptions extends ConvertOptions {
  test: ImageSet;
  profile?: EnergyProfile;
  evalBatchSize?: number;
  onRow?: (row: SweepRow) => void;
}

/** Accuracy, spikes and energy of a converted SNN (`result`) on `test`. */
export function measureConversion(
  result: ConversionResult,
  test: ImageSet,
  options: { profile?: EnergyProfile; evalBatchSize?: number; evaluated?: EvalResult | null } = {},
): Omit<SweepRow, 'wallMs'> {
  const ev = options.evaluated ?? evaluate(snnTarget(result.snn, { kind: 'ce', on: 'final', labelSmoothing: 0 }), test, { batchSize: options.evalBatchSize ?? 256 });
  const perLayer = ev.perLayer ?? result.network.graph.activations.map((a) => ({ neurons: a.input.reduce((x, y) => x * y, 1), spikesPerNeuron: 0 }));
  const profile = options.profile ?? DEFAULT_ENERGY_PROFILE;
  const e = computeEnergy({
    graph: result.network.graph,
    spikesPerNeuron: perLayer.map((l) => l.spikesPerNeuron),
    input: result.info.input,
    gradedSpikes: result.info.gradedSpikes,
    ...(ev.inputEventsPerElement ? { inputEventsPerElement: ev.inputEventsPerElement } : {}),
    profile,
  });
  return {
    steps: result.info.steps,
    accuracy: ev.accuracy,
    spikesPerNeuron: ev.spikesPerNeuron ?? 0,
    perLayer,
    inputEventsPerElement: ev.inputEventsPerElement ?? null,
    energy: { profile: e.profile, annPj: e.annPj, snnPj: e.snnPj, ratio: e.ratio },
  };
}

/** The recipe with its step count set to `steps` (K for fs, T otherwise). */
export function withSteps(recipe: ConversionRecipe, steps: number): ConversionRecipe {
  if (recipe.kind === 'fs') {
    return parseWith(ConversionRecipe, { ...recipe, K: steps }, 'conversion recipe');
  }
  return parseWith(ConversionRecipe, { ...recipe, timesteps: steps }, 'conversion recipe');
}

export async function sweep(net: Network, recipeInput: ConversionRecipeInput | ConversionRecipe, steps: readonly number[], options: SweepOptions): Promise<SweepRow[]> {
  if (steps.length === 0) throw new Error('sweep: no steps given');
  for (const s of steps) if (!Number.isInteger(s) || s < 1) throw new Error(`sweep: steps must be positive integers, got ${s}`);
  const recipe = parseWith(ConversionRecipe, recipeInput, 'conversion recipe');
  const rows: SweepRow[] = [];
  let thresholds = options.thresholds;
  for (const s of steps) {
    const t0 = performance.now();
    const result = await convert(net, withSteps(recipe, s), { ...options, ...(thresholds ? { thresholds } : {}) });
    try {
      thresholds ??= result.info.thresholds ?? undefined;
      const m = measureConversion(result, options.test, { ...options, evaluated: result.info.finetune });
      const row = { ...m, steps: s, wallMs: performance.now() - t0 };
      rows.push(row);
      options.onRow?.(row);
    } finally {
      result.dispose();
    }
  }
  return rows;
}

/**
 * The accuracy / spikes / energy trade-off of a method over its steps (T, or K for fs): one
 * method run per value of the config's `timesteps`, each its own RunReport.
 */
import type { RunReport } from '@spikelite/schemas';
import { getMethod } from './registry.js';
import { runMethod, type RunOptions } from './run.js';
import { parseMethodRun, type MethodRunInput } from './run-spec.js';

export interface SweepRow {
  /** T, or K for fs. */
  steps: number;
  accuracy: number;
  /** Spikes per hidden neuron per image over all steps. */
  spikesPerNeuron: number;
  perLayer: Array<{ layer: string; neurons: number; spikesPerNeuron: number }>;
  energy: { profile: string; annPj: number; snnPj: number; ratio: number };
  wallMs: number;
}

export function sweepRow(r: RunReport): SweepRow {
  return {
    steps: r.timesteps,
    accuracy: r.accuracy,
    spikesPerNeuron: r.spikes.perNeuron,
    perLayer: r.spikes.perLayer.map((l) => ({ layer: l.layer, neurons: l.neurons, spikesPerNeuron: l.spikesPerNeuron })),
    energy: { profile: r.energy.profile, annPj: r.energy.annPj, snnPj: r.energy.snnPj, ratio: r.energy.ratio },
    wallMs: r.wallMs,
  };
}

/** `run` at each of `steps` (its config's `timesteps`); `onRow` sees each row as it is done. */
export async function sweepMethod(run: MethodRunInput, steps: readonly number[], options: RunOptions & { onRow?: (row: SweepRow, report: RunReport) => void } = {}): Promise<SweepRow[]> {
  const base = parseMethodRun(run);
  if (!('timesteps' in getMethod(base.method).schema.shape)) throw new Error(`sweepMethod: the ${base.method} method has no steps to sweep`);
  if (steps.length === 0) throw new Error('sweepMethod: no steps given');
  const rows: SweepRow[] = [];
  for (const s of steps) {
    const report = await runMethod({ ...base, config: { ...base.config, timesteps: s } }, options);
    const row = sweepRow(report);
    rows.push(row);
    options.onRow?.(row, report);
  }
  return rows;
}

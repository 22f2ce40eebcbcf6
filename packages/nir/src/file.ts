/**
 * The file-level calls the CLI makes: run a NIR file on rows of input (`spikelite nir run`)
 * and write an SNN as NIR file bytes (`spikelite export --format nir`).
 */
import type { SnnModel } from '@spikelite/models';
import type { NirConvention } from '@spikelite/schemas';
import { exportSnnToNir, type ExportSnnToNirOptions } from './export.js';
import { readNir } from './read.js';
import { runNirImport } from './run.js';
import { nirToSpikelite, type NirReadout } from './to-spikelite.js';
import { writeNir } from './write.js';

export interface RunNirFileOptions {
  /** Seconds per step (neurons need it unless the convention implies one). */
  readonly dt?: number;
  readonly convention?: NirConvention;
  /** 'v': also record every neuron node's membrane after each step. */
  readonly record?: 'v';
  /** The file's name, for errors. */
  readonly source?: string;
}

export interface NirFileRun {
  /** The file's NIR version. */
  readonly version: string;
  readonly steps: number;
  /** The Output node: its rows (one per step, NIR order) and what they are. */
  readonly output: { readonly node: string; readonly readout: NirReadout; readonly shape: readonly number[]; readonly rows: number[][] };
  /** Each neuron node's membrane per step (NIR order), in run order; empty unless record 'v'. */
  readonly voltages: readonly { readonly node: string; readonly rows: number[][] }[];
}

/** Reads a NIR file and runs it on `rows` (one per step, the Input node's values in NIR order). */
export async function runNirFile(bytes: Uint8Array, rows: readonly (readonly number[])[], options: RunNirFileOptions = {}): Promise<NirFileRun> {
  const source = options.source ?? 'NIR file';
  const { version, graph } = await readNir(bytes, { source });
  const imported = nirToSpikelite(graph, { ...(options.dt === undefined ? {} : { dt: options.dt }), ...(options.convention ? { convention: options.convention } : {}), source });
  const run = runNirImport(imported, rows, { recordVoltages: options.record === 'v', source });
  return {
    version,
    steps: rows.length,
    output: { node: imported.output.node, readout: run.readout, shape: imported.output.shape, rows: run.outputs[imported.output.node]! },
    voltages: Object.entries(run.voltages).map(([node, r]) => ({ node, rows: r })),
  };
}

/** `exportSnnToNir` written as NIR file bytes (the reference's 1.0 layout), with its warnings. */
export async function exportSnnToNirFile(
  snn: SnnModel,
  options: ExportSnnToNirOptions & { readonly compression?: 'none' | 'gzip' } = {},
): Promise<{ bytes: Uint8Array; warnings: readonly string[]; dt: number; convention: NirConvention }> {
  const { compression, ...exportOptions } = options;
  const exported = exportSnnToNir(snn, exportOptions);
  const bytes = await writeNir(exported.document, { source: 'exportSnnToNir', ...(compression ? { compression } : {}) });
  return { bytes, warnings: exported.warnings, dt: exported.dt, convention: exported.convention };
}

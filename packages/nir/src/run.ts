/**
 * runNir: drive a NIR graph with one row of input values per step and read what flows into
 * its Output at every step, optionally with every neuron node's membrane. The graph runs as
 * a spikelite SNN (nirToSpikelite → createNirSnn → SnnModel.forward, batch 1); rows are in
 * NIR's order (a (C, H, W) value row-major over C, then H, then W), whatever spikelite holds.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NirConvention } from '@spikelite/schemas';
import { NirError } from './errors.js';
import type { NirGraph } from './graph.js';
import { spikeliteShape, toNirOrder, toSpikeliteOrder } from './layout.js';
import { createNirSnn } from './snn.js';
import { sizeOf } from './tensor.js';
import { nirToSpikelite, type NirImport, type NirReadout } from './to-spikelite.js';

export interface RunNirOptions {
  /** Seconds per step (neurons need it unless the convention implies one: 'snntorch' means 1e-4). */
  readonly dt?: number;
  readonly convention?: NirConvention;
  /** Also return every neuron node's membrane after each step (after the reset). */
  readonly recordVoltages?: boolean;
  /** Name used in errors; default 'NIR graph'. */
  readonly source?: string;
}

export interface RunNirResult {
  /** The Output node → one row per step of what flows into it. */
  readonly outputs: Record<string, number[][]>;
  /** Neuron node → its membrane per step (only with recordVoltages). */
  readonly voltages: Record<string, number[][]>;
  /** What the Output rows are: spikes, a membrane (LI, I, CubaLI) or analog values. */
  readonly readout: NirReadout;
}

type Rows = readonly (readonly number[])[];

/** A per-image value as spikelite holds it → NIR's order (a rank-3 value is an image [H, W, C]). */
function nirRow(values: ArrayLike<number>, stored: readonly number[]): number[] {
  return Array.from(stored.length === 3 ? toNirOrder(values, [stored[2]!, stored[0]!, stored[1]!]) : values);
}

/** Runs an imported graph on `rows` (one per step, NIR order). */
export function runNirImport(imported: NirImport, rows: Rows, options: { recordVoltages?: boolean; source?: string } = {}): RunNirResult {
  const source = options.source ?? 'NIR graph';
  const { node: inputNode, shape } = imported.input;
  const size = sizeOf(shape);
  if (rows.length === 0) throw new NirError(source, 'no input rows: give one row per step', { node: inputNode, type: 'Input' });
  const bad = rows.findIndex((r) => r.length !== size);
  if (bad >= 0) throw new NirError(source, `input row ${bad} has ${rows[bad]!.length} values, the node's shape ${`(${shape.join(', ')})`} holds ${size}`, { node: inputNode, type: 'Input' });
  const T = rows.length;
  const stored = spikeliteShape(shape);
  const channels = stored[stored.length - 1]!;
  const positions = size / channels;
  // One clip [1, …, channels·T], frame-major: the 'frames' encoding feeds frame t at step t.
  const clip = new Float32Array(size * T);
  rows.forEach((row, t) => {
    const x = toSpikeliteOrder(row, shape);
    for (let p = 0; p < positions; p++) for (let c = 0; c < channels; c++) clip[(p * T + t) * channels + c] = x[p * channels + c]!;
  });
  const snn = createNirSnn(imported, { timesteps: T });
  const outputs: number[][] = [];
  const voltages: Record<string, number[][]> = {};
  const layers = snn.network.graph.activations.map((a) => ({ name: a.layer.name!, stored: a.input }));
  if (options.recordVoltages) for (const l of layers) voltages[l.name] = [];
  const outStored = snn.network.graph.nodes[snn.network.graph.nodes.length - 1]!.output;
  const images = tf.tensor(clip, [1, ...stored.slice(0, -1), channels * T]);
  try {
    const r = snn.forward(images, {
      release: true,
      onOutput: (t, y) => (outputs[t] = nirRow(y.dataSync(), outStored)),
      ...(options.recordVoltages ? { onState: (l: number, t: number, st: tf.NamedTensorMap) => (voltages[layers[l]!.name]![t] = nirRow(st['u']!.dataSync(), layers[l]!.stored)) } : {}),
    });
    tf.dispose([r.logits, r.spikeCounts]);
  } finally {
    images.dispose();
    snn.dispose();
    snn.network.dispose();
  }
  return { outputs: { [imported.output.node]: outputs }, voltages, readout: imported.output.readout };
}

/**
 * Runs `graph` on `inputs`: one row per step for its Input node (or `{ [inputNode]: rows }`).
 * Graphs that do not map to spikelite (several Inputs or Outputs, Conv1d, Delay, recurrent
 * edges) fail with a NirError naming the node.
 */
export function runNir(graph: NirGraph, inputs: Rows | Record<string, Rows>, options: RunNirOptions = {}): RunNirResult {
  const source = options.source ?? 'NIR graph';
  const imported = nirToSpikelite(graph, { ...(options.dt === undefined ? {} : { dt: options.dt }), ...(options.convention ? { convention: options.convention } : {}), source });
  let rows: Rows;
  if (Array.isArray(inputs)) rows = inputs as Rows;
  else {
    const byName = inputs as Record<string, Rows>;
    const given = byName[imported.input.node];
    if (given === undefined) throw new NirError(source, `no input rows given for this Input node (got rows for ${Object.keys(byName).join(', ') || 'nothing'})`, { node: imported.input.node, type: 'Input' });
    rows = given;
  }
  return runNirImport(imported, rows, { recordVoltages: options.recordVoltages ?? false, source });
}

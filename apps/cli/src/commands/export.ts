/**
 * `spikelite export`: a trained SNN checkpoint → an ONNX file with the timesteps unrolled
 * (@spikelite/onnx exportSnnToOnnx), then the file run in onnxruntime on a few images and
 * compared with spikelite's own forward pass (logits and spike counts); or → a NIR graph
 * (@spikelite/nir exportSnnToNirFile), then the file read back, run as a spikelite SNN on the
 * same images and compared spike for spike (@spikelite/pipelines checkNirFile).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@spikelite/engine';
import { exportSnnToNirFile, NirExportError } from '@spikelite/nir';
import { checkSnnParity, EXPORT_OPSET, exportSnnToOnnx, OnnxExportError, type SnnParityResult } from '@spikelite/onnx';
import { assertFitsImages, checkNirFile, checkpointTimesteps, openCheckpoint, runnableFromCheckpoint, type DataRef, type NirCheckResult, type RunnableModel } from '@spikelite/pipelines';
import { imageInput, METHOD_STEPS, type NirConvention } from '@spikelite/schemas';
import { choiceFlag, intFlag, parseFlags, required } from '../args.js';
import { checkpointDataRef } from '../checkpoint-data.js';
import { DATA_FLAGS, dataHelp } from '../data-flags.js';
import { CHECK_FAILED, CliError, CommandOutcome, forFlag } from '../errors.js';
import { NIR_FLAGS, NIR_HELP, nirFlags } from '../nir-flags.js';
import { parityInputs, type ParityInputs } from '../onnx-inputs.js';
import { backendFlag, openDataset, startEngine, stderrLog, type Log } from '../setup.js';

export const EXPORT_HELP = `spikelite export — write a trained SNN as an ONNX model (timesteps unrolled) or a NIR graph, and check it

  --checkpoint DIR     an SNN run directory (with latest.json) or checkpoint directory (spikelite train)
  --format F           onnx (the default) or nir
  --out FILE           the .onnx or .nir file to write
  --timesteps T        unroll T steps (default: the checkpoint's; nir: the check's steps)
  --check N            images run through the file and spikelite to compare (default 32; 0: no check)
${dataHelp(23, 'check images')}
                       Seeded random images in [0, 1) when the model's input does not fit them.
${NIR_HELP.replace('e.g. 1e-4 for lif_norse.nir', 'default 1e-3, 1e-4 with snntorch')}
  --backend B          tensorflow | wasm | cpu (default: best available)
  --json               print { command, format, out, bytes, timesteps, …, parity } on stdout

onnx: the model (opset ${EXPORT_OPSET}) takes images [N, C, H, W] (raw pixels, NCHW) and outputs logits [N,
classes] (the output membrane after the last step) and spikes [N, layers] (spikes of each neuron layer
per image over all steps). Neurons: IF, LIF, single-spike LIF; encodings: direct, hybrid, temporal.
The check runs it in onnxruntime: logits within 1e-4 of their range.

nir: a NIR graph (NIR 1.0 layout, HDF5) whose Input takes what the encoder feeds each step and whose
Output carries U(t) (an I readout). Neurons: IF, LIF, single-spike LIF (written as LIF that cannot fire
again); encodings: direct, hybrid, temporal, frames. NIR has no soft reset: it is written as a reset
to 0, with a warning on stderr, and the check then shows the spikes that differ. FS and general-SNN
neurons, max pooling, batch norm and affine biases cannot be written (an error names the layer). The
check reads the file back and runs it: every spike of every layer at every step must be the same.

A failed check exits 3 (the file is written).

Examples:
  spikelite export --checkpoint runs/diet/snn --format onnx --out runs/diet/snn.onnx
  spikelite export --checkpoint runs/hybrid/snn --format nir --out runs/hybrid/snn.nir`;

const FLAGS = {
  checkpoint: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, timesteps: { type: 'string' },
  check: { type: 'string' }, ...DATA_FLAGS, ...NIR_FLAGS, backend: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
} as const;

export interface ExportResult {
  command: 'export';
  format: 'onnx' | 'nir';
  out: string;
  bytes: number;
  /** ONNX opset; null for nir. */
  opset: number | null;
  /** nir: the dt and convention the file's neurons are written for, and the export's warnings; null for onnx. */
  nir: { dt: number; convention: NirConvention; warnings: readonly string[] } | null;
  method: string;
  timesteps: number;
  encoding: string;
  /** Spec path and neuron kind of every neuron layer, in the order of the `spikes` output. */
  neuronLayers: Array<{ layer: string; neuron: string }>;
  backend: string;
  inputs: ParityInputs | null;
  /** Null with --check 0; onnx: onnxruntime against spikelite (backend and timesteps are the fields above); nir: the file read back and run. */
  parity: Omit<SnnParityResult, 'backend' | 'timesteps'> | NirCheckResult | null;
  wallMs: number;
}

const fmt = (x: number): string => (x === 0 ? '0' : x.toPrecision(2));

/** Writes the file; an unwritable path is one line naming --out. */
async function writeOut(out: string, bytes: Uint8Array): Promise<void> {
  try {
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, bytes);
  } catch (e) {
    throw new CliError(`--out: ${out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * The NIR check's images as the SNN takes them (NHWC; a frames model: clips): the data's test
 * images when they fit the model, else seeded random values in [0, 1) with the reason.
 */
async function checkImages(ref: DataRef, model: RunnableModel, count: number, log: Log): Promise<{ inputs: ParityInputs; images: tf.Tensor4D }> {
  const set = (await openDataset({ ...ref, limitTrain: 1, limitTest: count }, log)).test;
  let reason: string | null = null;
  try {
    assertFitsImages(model, set, "the checkpoint's model", ref.preprocess);
  } catch (e) {
    if ((e as Error).name !== 'PipelineError') throw e;
    reason = (e as Error).message;
  }
  if (reason === null) {
    const n = Math.min(count, set.count);
    const size = set.height * set.width * set.channels;
    return { inputs: { kind: 'dataset', name: ref.name, images: n }, images: tf.tensor4d(set.images.subarray(0, n * size), [n, set.height, set.width, set.channels]) };
  }
  const { height: H, width: W, channels: C } = imageInput(model.net.spec.input, 'this checkpoint');
  const depth = model.snn?.encoder.spec.kind === 'frames' ? C * model.timesteps : C;
  const rng = createRng(0);
  const values = Float32Array.from({ length: count * H * W * depth }, () => rng.next());
  return { inputs: { kind: 'random', seed: 0, images: count, reason }, images: tf.tensor4d(values, [count, H, W, depth]) };
}

export async function exportCommand(argv: string[]): Promise<ExportResult | CommandOutcome> {
  const { values: f } = parseFlags(argv, FLAGS);
  const t0 = performance.now();
  const log = stderrLog(f.json === true);
  const path = required('checkpoint', f.checkpoint);
  const format = choiceFlag('format', f.format, ['onnx', 'nir'] as const, 'onnx')!;
  const out = required('out', f.out);
  const check = intFlag('check', f.check, { min: 0, fallback: 32 })!;
  if (format !== 'nir') for (const flag of Object.keys(NIR_FLAGS)) if (f[flag as keyof typeof f] !== undefined) throw new CliError(`--${flag}: used with --format nir only`);
  const nirOptions = nirFlags(f);
  backendFlag(f.backend);
  const ck = await forFlag('checkpoint', () => openCheckpoint(path));
  if (METHOD_STEPS[ck.manifest.method] === null) {
    throw new CliError(`--checkpoint: ${ck.dir} holds an ANN (method ann); export writes SNNs (train one with --method diet or hybrid)`);
  }
  const timesteps = checkpointTimesteps(ck, intFlag('timesteps', f.timesteps, { min: 1 }));
  const ref = check > 0 ? checkpointDataRef(f, ck, { limitTest: check, timesteps }, log) : null;
  const engine = await startEngine(f.backend, log);
  const model = await forFlag('checkpoint', () => runnableFromCheckpoint(ck, timesteps));
  const snn = model.snn!;
  try {
    const neuronLayers = snn.network.graph.activations.map((a, i) => ({ layer: a.path, neuron: snn.neurons[i]!.spec.kind }));
    const layersLine = `${neuronLayers.length} neuron layers (${[...new Set(neuronLayers.map((l) => l.neuron))].join(', ')})`;
    let bytes: Uint8Array;
    let nir: ExportResult['nir'] = null;
    if (format === 'onnx') {
      try {
        bytes = exportSnnToOnnx(snn, { name: ck.manifest.spec.name ?? `spikelite-${model.method}` });
      } catch (e) {
        if (e instanceof OnnxExportError) throw new CliError(`--checkpoint: ${ck.dir}: ${e.message}`);
        throw e;
      }
      await writeOut(out, bytes);
      log.info(`wrote ${out}: ${(bytes.length / 1e6).toFixed(2)} MB, opset ${EXPORT_OPSET}, T=${timesteps}, ${snn.encoder.kind} input, ${layersLine}`);
    } else {
      let file: Awaited<ReturnType<typeof exportSnnToNirFile>>;
      try {
        file = await exportSnnToNirFile(snn, nirOptions);
      } catch (e) {
        if (e instanceof NirExportError) throw new CliError(`--checkpoint: ${ck.dir}: ${e.message}`);
        throw e;
      }
      bytes = file.bytes;
      nir = { dt: file.dt, convention: file.convention, warnings: file.warnings };
      await writeOut(out, bytes);
      log.info(`wrote ${out}: ${(bytes.length / 1e6).toFixed(2)} MB, NIR, dt ${file.dt} s (${file.convention} convention), ${snn.encoder.kind} input, ${layersLine}`);
      for (const w of file.warnings) log.info(`warning: ${w}`);
    }

    let inputs: ParityInputs | null = null;
    let parity: ExportResult['parity'] = null;
    if (ref !== null && format === 'onnx') {
      const { channels: C, height: H, width: W } = imageInput(ck.manifest.spec.input, 'this checkpoint');
      const chosen = await parityInputs({
        data: ref, dims: [C, H, W], count: check, seed: 0, exactCount: false, defaultOptional: false,
        misfit: (set, name) => `the model takes ${C}x${H}x${W} images, ${name} has ${set.channels}x${set.height}x${set.width}`,
      }, log);
      inputs = chosen.inputs;
      const n = inputs.images;
      const p = await checkSnnParity(snn, bytes, { data: chosen.data, shape: [n, C, H, W] });
      const { backend: _b, timesteps: _t, ...rest } = p;
      parity = rest;
      log.info(
        `onnxruntime vs spikelite (${engine.backend}) on ${where(inputs)}: logits max |diff| ${fmt(p.maxAbsDiff)} = ${fmt(p.relativeDiff)} of their range ` +
          `${p.outputRange.span.toFixed(3)}, top-1 agreement ${(p.top1Agreement * 100).toFixed(1)}%; spike counts per image and layer: ` +
          `${p.spikes.differing.toLocaleString('en-US')} of ${p.spikes.total.toLocaleString('en-US')} spikes differ; ${p.ok ? 'ok' : `NOT ok (tolerance ${p.tolerance})`}`,
      );
    } else if (ref !== null && nir !== null) {
      const chosen = await checkImages(ref, model, check, log);
      inputs = chosen.inputs;
      let p: NirCheckResult;
      try {
        p = await checkNirFile(snn, { bytes, dt: nir.dt, convention: nir.convention, source: out }, chosen.images);
      } finally {
        chosen.images.dispose();
      }
      parity = p;
      log.info(
        `the NIR file read back and run vs spikelite (${engine.backend}) on ${where(inputs)}: ${p.spikes.differing.toLocaleString('en-US')} of ` +
          `${(p.images * neuronCount(snn) * timesteps).toLocaleString('en-US')} neuron steps spike differently (${p.spikes.total.toLocaleString('en-US')} spikes); ` +
          `readout max |diff| ${fmt(p.maxAbsDiff)} = ${fmt(p.relativeDiff)} of the logit range ${p.outputRange.span.toFixed(3)}, top-1 agreement ` +
          `${(p.top1Agreement * 100).toFixed(1)}%; ${p.ok ? 'ok' : `NOT ok (every spike must agree; logits within ${p.tolerance})`}`,
      );
    }
    log.done();
    const result: ExportResult = {
      command: 'export',
      format,
      out,
      bytes: bytes.length,
      opset: format === 'onnx' ? EXPORT_OPSET : null,
      nir,
      method: model.method,
      timesteps,
      encoding: snn.encoder.kind,
      neuronLayers,
      backend: engine.backend,
      inputs,
      parity,
      wallMs: Math.round(performance.now() - t0),
    };
    if (parity !== null && !parity.ok) {
      const why = format === 'onnx'
        ? `onnxruntime disagrees with spikelite beyond the tolerance (${parity.tolerance}); see the line above`
        : `the NIR graph computes other spikes than spikelite${nir!.warnings.length > 0 ? ' (see the warnings: what NIR cannot express was written differently)' : ''}; see the line above`;
      return new CommandOutcome(f.json === true ? result : null, CHECK_FAILED, `spikelite: ${out}: ${why}`);
    }
    return result;
  } finally {
    model.dispose();
  }
}

/** Where the check's images came from, for the log line. */
function where(inputs: ParityInputs): string {
  return inputs.kind === 'dataset' ? `${inputs.images} ${inputs.name} test images` : `${inputs.images} seeded random images (${inputs.reason})`;
}

/** Neurons of all neuron layers of the SNN, per image. */
function neuronCount(snn: RunnableModel['snn'] & object): number {
  return snn.network.graph.activations.reduce((a, n) => a + n.output.reduce((x, y) => x * y, 1), 0);
}

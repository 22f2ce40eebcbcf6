import { imageInput } from '@spikelite/schemas';
/**
 * `spikelite export`: a trained SNN checkpoint → an ONNX file with the timesteps unrolled
 * (@spikelite/onnx exportSnnToOnnx), then the file run in onnxruntime on a few images and
 * compared with spikelite's own forward pass (logits and spike counts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { checkSnnParity, EXPORT_OPSET, exportSnnToOnnx, OnnxExportError, type SnnParityResult } from '@spikelite/onnx';
import { checkpointTimesteps, openCheckpoint, runnableFromCheckpoint } from '@spikelite/pipelines';
import { METHOD_STEPS } from '@spikelite/schemas';
import { choiceFlag, intFlag, parseFlags, required } from '../args.js';
import { CHECK_FAILED, CliError, CommandOutcome, forFlag } from '../errors.js';
import { parityInputs, type ParityInputs } from '../onnx-inputs.js';
import { backendFlag, startEngine, stderrLog } from '../setup.js';

export const EXPORT_HELP = `spikelite export — write a trained SNN as an ONNX model (timesteps unrolled)

  --checkpoint DIR     an SNN run directory (with latest.json) or checkpoint directory (spikelite train)
  --format onnx        the output format (onnx only; the default)
  --out FILE           the .onnx file to write
  --timesteps T        unroll T steps (default: the checkpoint's)
  --check N            images run through onnxruntime and spikelite to compare (default 32; 0: no check)
  --data <name|dir>    check images: fashion-mnist (default) or a directory; seeded random images in [0, 1)
                       when the model's input does not fit the dataset
  --backend B          tensorflow | wasm | cpu (default: best available)
  --json               print { command, out, bytes, opset, timesteps, …, parity } on stdout

The ONNX model (opset ${EXPORT_OPSET}) takes images [N, C, H, W] (raw pixels, NCHW) and outputs
logits [N, classes] (the output membrane after the last step) and spikes [N, layers] (spikes of
each neuron layer per image over all steps). Neurons: IF, LIF, single-spike LIF; encodings:
direct, hybrid, temporal.

Example: spikelite export --checkpoint runs/diet/snn --format onnx --out runs/diet/snn.onnx`;

const FLAGS = {
  checkpoint: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, timesteps: { type: 'string' },
  check: { type: 'string' }, data: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
} as const;

export interface ExportResult {
  command: 'export';
  format: 'onnx';
  out: string;
  bytes: number;
  opset: number;
  method: string;
  timesteps: number;
  encoding: string;
  /** Spec path and neuron kind of every neuron layer, in the order of the `spikes` output. */
  neuronLayers: Array<{ layer: string; neuron: string }>;
  backend: string;
  inputs: ParityInputs | null;
  /** Null with --check 0; backend and timesteps are the fields above. */
  parity: Omit<SnnParityResult, 'backend' | 'timesteps'> | null;
  wallMs: number;
}

const fmt = (x: number): string => (x === 0 ? '0' : x.toPrecision(2));

export async function exportCommand(argv: string[]): Promise<ExportResult | CommandOutcome> {
  const { values: f } = parseFlags(argv, FLAGS);
  const t0 = performance.now();
  const log = stderrLog(f.json === true);
  const path = required('checkpoint', f.checkpoint);
  choiceFlag('format', f.format, ['onnx'] as const, 'onnx');
  const out = required('out', f.out);
  const check = intFlag('check', f.check, { min: 0, fallback: 32 })!;
  backendFlag(f.backend);
  const ck = await forFlag('checkpoint', () => openCheckpoint(path));
  if (METHOD_STEPS[ck.manifest.method] === null) {
    throw new CliError(`--checkpoint: ${ck.dir} holds an ANN (method ann); export writes SNNs (train one with --method diet or hybrid)`);
  }
  const engine = await startEngine(f.backend, log);
  const timesteps = checkpointTimesteps(ck, intFlag('timesteps', f.timesteps, { min: 1 }));
  const model = await forFlag('checkpoint', () => runnableFromCheckpoint(ck, timesteps));
  const snn = model.snn!;
  try {
    let bytes: Uint8Array;
    try {
      bytes = exportSnnToOnnx(snn, { name: ck.manifest.spec.name ?? `spikelite-${model.method}` });
    } catch (e) {
      if (e instanceof OnnxExportError) throw new CliError(`--checkpoint: ${ck.dir}: ${e.message}`);
      throw e;
    }
    try {
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, bytes);
    } catch (e) {
      throw new CliError(`--out: ${out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const neuronLayers = snn.network.graph.activations.map((a, i) => ({ layer: a.path, neuron: snn.neurons[i]!.spec.kind }));
    log.info(
      `wrote ${out}: ${(bytes.length / 1e6).toFixed(2)} MB, opset ${EXPORT_OPSET}, T=${timesteps}, ${snn.encoder.kind} input, ` +
        `${neuronLayers.length} neuron layers (${[...new Set(neuronLayers.map((l) => l.neuron))].join(', ')})`,
    );

    let inputs: ParityInputs | null = null;
    let parity: ExportResult['parity'] = null;
    if (check > 0) {
      const { channels: C, height: H, width: W } = imageInput(ck.manifest.spec.input, 'this checkpoint');
      const chosen = await parityInputs({
        data: f.data, dims: [C, H, W], count: check, seed: 0, exactCount: false, defaultOptional: false,
        misfit: (set, name) => `the model takes ${C}x${H}x${W} images, ${name} has ${set.channels}x${set.height}x${set.width}`,
      }, log);
      inputs = chosen.inputs;
      const n = inputs.images;
      const p = await checkSnnParity(snn, bytes, { data: chosen.data, shape: [n, C, H, W] });
      const { backend: _b, timesteps: _t, ...rest } = p;
      parity = rest;
      const where = inputs.kind === 'dataset' ? `${n} ${inputs.name} test images` : `${n} seeded random images (${inputs.reason})`;
      log.info(
        `onnxruntime vs spikelite (${engine.backend}) on ${where}: logits max |diff| ${fmt(p.maxAbsDiff)} = ${fmt(p.relativeDiff)} of their range ` +
          `${p.outputRange.span.toFixed(3)}, top-1 agreement ${(p.top1Agreement * 100).toFixed(1)}%; spike counts per image and layer: ` +
          `${p.spikes.differing.toLocaleString('en-US')} of ${p.spikes.total.toLocaleString('en-US')} spikes differ; ${p.ok ? 'ok' : `NOT ok (tolerance ${p.tolerance})`}`,
      );
    }
    log.done();
    const result: ExportResult = {
      command: 'export',
      format: 'onnx',
      out,
      bytes: bytes.length,
      opset: EXPORT_OPSET,
      method: model.method,
      timesteps,
      encoding: snn.encoder.kind,
      neuronLayers,
      backend: engine.backend,
      inputs,
      parity,
      wallMs: Math.round(performance.now() - t0),
    };
    if (parity !== null && !parity.ok) return new CommandOutcome(f.json === true ? result : null, CHECK_FAILED, `spikelite: ${out}: onnxruntime disagrees with spikelite beyond the tolerance (${parity.tolerance}); see the line above`);
    return result;
  } finally {
    model.dispose();
  }
}

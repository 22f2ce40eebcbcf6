/**
 * `spikelite import FILE`: what an ONNX ANN becomes in spikelite (layers, parameters, MACs)
 * and whether the import computes what onnxruntime computes, on dataset images when the
 * model's input fits the dataset, else on seeded random inputs.
 */
import { existsSync } from 'node:fs';
import type { ImageSet } from '@spikelite/data';
import { createRng } from '@spikelite/engine';
import { checkParity, formatSummary, importOnnx, OnnxImportError, summarizeImport, type OnnxImport, type ImportSummary } from '@spikelite/onnx';
import { intFlag, parseFlags } from '../args.js';
import { CliError } from '../errors.js';
import { backendFlag, openDataset, startEngine, stderrLog } from '../setup.js';

export const IMPORT_HELP = `spikelite import — summarise an ONNX ANN and check the import against onnxruntime

  FILE                 the ONNX model ([N, C, H, W] image input, or [N, features])
  --data <name|dir>    parity images: fashion-mnist (default), or a directory of IDX/CIFAR files; when the
                       model's input does not fit the dataset, seeded random inputs in [0, 1) instead
  --limit N            images in the parity check (default 64; a model with a fixed batch uses its batch)
  --seed S             seed of the random inputs (default 0)
  --backend B          tensorflow | wasm | cpu (default: best available)
  --json               print { command, file, summary, inputs, parity } on stdout

Prints the layer table (spikelite layers, NHWC output shapes, parameters, MACs per image), the
ONNX nodes folded or removed, and the largest difference between onnxruntime's and spikelite's
outputs relative to the output range (ok when ≤ 1e-4).

Example: spikelite import tooling/fixtures/onnx/fmnist-cnn-bn.onnx --limit 100`;

const FLAGS = {
  data: { type: 'string' }, limit: { type: 'string' }, seed: { type: 'string' }, backend: { type: 'string' },
  json: { type: 'boolean' }, help: { type: 'boolean' },
} as const;

/** Where the parity inputs came from. */
export type ParityInputs =
  | { kind: 'dataset'; name: string; images: number }
  | { kind: 'random'; seed: number; images: number; reason: string };

export interface ImportResult {
  command: 'import';
  file: string;
  summary: ImportSummary;
  inputs: ParityInputs;
  parity: {
    backend: string;
    images: number;
    maxAbsDiff: number;
    outputRange: { min: number; max: number; span: number };
    relativeDiff: number;
    top1Agreement: number;
    tolerance: number;
    ok: boolean;
  };
  wallMs: number;
}

/** NHWC images `from`..`from + count` of a set → NCHW (the ONNX layout). */
export function toNchw(set: ImageSet, from: number, count: number): Float32Array {
  const { height: H, width: W, channels: C } = set;
  const out = new Float32Array(count * C * H * W);
  for (let n = 0; n < count; n++) {
    const base = (from + n) * H * W * C;
    for (let c = 0; c < C; c++) for (let i = 0; i < H * W; i++) out[(n * C + c) * H * W + i] = set.images[base + i * C + c]!;
  }
  return out;
}

/** Seeded uniform [0, 1) inputs: raw-pixel-like values for any input shape. */
export function randomInputs(size: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: size }, () => rng.next());
}

/** The ONNX file, imported; an unreadable or unsupported file is one CLI line. */
export function importFile(file: string): OnnxImport {
  if (!existsSync(file)) throw new CliError(`${file}: file not found`);
  try {
    return importOnnx(file);
  } catch (e) {
    if (e instanceof OnnxImportError) throw new CliError(e.message);
    throw e;
  }
}

const fmt = (x: number): string => (x === 0 ? '0' : x.toPrecision(2));

export async function importCommand(argv: string[]): Promise<ImportResult | null> {
  const { values: f, positionals } = parseFlags(argv, FLAGS, true);
  if (f.help) {
    process.stdout.write(`${IMPORT_HELP}\n`);
    return null;
  }
  const t0 = performance.now();
  const log = stderrLog(f.json === true);
  if (positionals.length !== 1) {
    throw new CliError(`import: expected one ONNX FILE, got ${positionals.length === 0 ? 'none' : positionals.map((p) => `'${p}'`).join(' ')} (see --help)`);
  }
  const file = positionals[0]!;
  const limit = intFlag('limit', f.limit, { min: 1, fallback: 64 })!;
  const seed = intFlag('seed', f.seed, { min: 0, fallback: 0 })!;
  backendFlag(f.backend);
  // The file is checked before the engine starts: a bad path or model fails at once.
  const imported = importFile(file);
  const summary = summarizeImport(imported);
  const engine = await startEngine(f.backend, log);

  // ONNX's own input shape: [N, C, H, W], or [N, F] for a flat-input model.
  const dims = imported.report.input.dims.slice(1).map(Number);
  const perImage = dims.reduce((a, b) => a * b, 1);
  const n = typeof imported.report.batch === 'number' ? imported.report.batch : limit;
  let inputs: ParityInputs;
  let data: Float32Array;
  const random = (reason: string): void => {
    inputs = { kind: 'random', seed, images: n, reason };
    data = randomInputs(n * perImage, seed);
  };
  let set: ImageSet | null = null;
  try {
    set = (await openDataset(f.data ?? 'fashion-mnist', { limitTrain: 1, limitTest: n }, log)).test;
  } catch (e) {
    // An explicit --data must work; the default dataset missing only means random inputs.
    if (f.data !== undefined || !(e instanceof CliError)) throw e;
    random(`the default dataset is not available (${e.message})`);
  }
  if (set !== null) {
    const { channels: C, height: H, width: W } = set;
    const fits = dims.length === 3 ? dims[0] === C && dims[1] === H && dims[2] === W : dims.length === 1 && dims[0] === C * H * W;
    const name = f.data ?? 'fashion-mnist';
    if (!fits) random(`the model takes [${dims.join(', ')}] inputs, ${name} has ${C}x${H}x${W} images`);
    else if (set.count < n) random(`${name} has only ${set.count} test images, the check needs ${n}`);
    else {
      inputs = { kind: 'dataset', name, images: n };
      // NCHW flattened per image is also the (c, h, w) order a [N, C·H·W] PyTorch model reads.
      data = toNchw(set, 0, n);
    }
  }
  const p = await checkParity(file, { data: data!, shape: [n, ...dims] }, { imported });
  const result: ImportResult = {
    command: 'import',
    file,
    summary,
    inputs: inputs!,
    parity: {
      backend: engine.backend,
      images: p.images,
      maxAbsDiff: p.maxAbsDiff,
      outputRange: p.outputRange,
      relativeDiff: p.relativeDiff,
      top1Agreement: p.top1Agreement,
      tolerance: p.tolerance,
      ok: p.ok,
    },
    wallMs: Math.round(performance.now() - t0),
  };
  const where = inputs!.kind === 'dataset' ? `${n} ${inputs!.name} test images` : `${n} seeded random inputs (seed ${seed}: ${inputs!.reason})`;
  const verdict =
    `parity with onnxruntime on ${where}, ${engine.backend} backend: max |diff| ${fmt(p.maxAbsDiff)} = ${fmt(p.relativeDiff)} of the ` +
    `output range ${p.outputRange.span.toFixed(3)}; top-1 agreement ${(p.top1Agreement * 100).toFixed(1)}%; ` +
    (p.ok ? 'ok' : `NOT ok (tolerance ${p.tolerance})`);
  log.done();
  if (f.json) {
    log.info(verdict);
    return result;
  }
  process.stdout.write(`${formatSummary(summary)}\n${verdict}\n`);
  return null;
}

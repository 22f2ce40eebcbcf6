/**
 * `spikelite import FILE`: what an ONNX ANN becomes in spikelite (layers, parameters, MACs)
 * and whether the import computes what onnxruntime computes, on dataset images when the
 * model's input fits the dataset, else on seeded random inputs. A NIR file (by its .nir
 * extension or HDF5 content) gets @spikelite/nir's summary: nodes, shapes, parameters, and
 * whether it runs in spikelite.
 */
import { existsSync, readFileSync } from 'node:fs';
import { formatNirSummary, readNir, summarizeNir, type NirSummary } from '@spikelite/nir';
import { checkParity, formatSummary, importOnnx, OnnxImportError, summarizeImport, type ImportOptions, type ImportSummary, type OnnxImport, type ParityResult } from '@spikelite/onnx';
import { onnxImportOptions } from '@spikelite/pipelines';
import { DATA_FLAGS, dataHelp, dataRefFlags, withTransformNormalization } from '../data-flags.js';
import { NIR_FLAGS, NIR_HELP, nirFlags } from '../nir-flags.js';
import { ONNX_INPUT_FLAGS, ONNX_INPUT_HELP, onnxInputFlags } from '../onnx-flags.js';
import { intFlag, parseFlags } from '../args.js';
import { CHECK_FAILED, CliError, CommandOutcome } from '../errors.js';
import { parityInputs, type ParityInputs } from '../onnx-inputs.js';
import { backendFlag, startEngine, stderrLog } from '../setup.js';

export const IMPORT_HELP = `spikelite import — summarise an ONNX ANN and check the import against onnxruntime, or summarise a NIR file

  FILE                 the ONNX model ([N, C, H, W] image input, or any other; its output may be a feature map),
                       or a NIR file (.nir, HDF5)
${ONNX_INPUT_HELP}
${dataHelp(23, 'parity images')}
                       When the model's input does not fit the images, seeded random inputs in [0, 1) instead.
  --limit N            images in the parity check (default 64; a model with a fixed batch uses its batch)
  --seed S             seed of the random inputs (default 0)
  --backend B          tensorflow | wasm | cpu (default: best available)
  --json               print { command, file, summary, inputs, parity } on stdout (a NIR file: its summary)

A NIR file: its nodes with their shapes and parameters, the input and output shapes, and whether it
runs in spikelite (and if not, why). Its flags:
${NIR_HELP}
  (only whether the file needs a dt depends on them; spikelite nir run FILE runs it)

Prints the layer table (spikelite layers, NHWC output shapes, parameters, MACs per image), the
ONNX nodes folded or removed, and the largest difference between onnxruntime's and spikelite's
outputs relative to the output range (ok when ≤ 1e-4).

Examples:
  spikelite import tooling/fixtures/onnx/fmnist-cnn-bn.onnx --limit 100
  spikelite import tooling/zoo/fixtures/efficientnet_b0.onnx --input-shape 3x32x32
  spikelite import my-resnet18.onnx --data folder:photos/val --transform imagenet
  spikelite import tooling/fixtures/nir/cnn_sinabs.nir`;

const FLAGS = {
  ...DATA_FLAGS, limit: { type: 'string' }, seed: { type: 'string' }, backend: { type: 'string' },
  json: { type: 'boolean' }, help: { type: 'boolean' }, ...ONNX_INPUT_FLAGS, ...NIR_FLAGS,
} as const;

/** The flags of each kind of file (the others are an error naming the file's kind). */
const ONNX_ONLY = ['limit', 'seed', 'backend', ...Object.keys(DATA_FLAGS), ...Object.keys(ONNX_INPUT_FLAGS)] as const;
const NIR_ONLY = Object.keys(NIR_FLAGS);

/** HDF5's signature, the first 8 bytes of a NIR file. */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** A NIR file: named .nir, or HDF5 content (whatever the name). */
export function isNirFile(file: string): boolean {
  if (/\.nir$/i.test(file)) return true;
  const head = readFileSync(file).subarray(0, 8);
  return HDF5_SIGNATURE.every((b, i) => head[i] === b);
}

/** `spikelite import FILE.nir`: the summary as text on stdout, or with --json the summary object. */
async function importNir(file: string, f: Record<string, unknown>): Promise<NirSummary | null> {
  for (const flag of ONNX_ONLY) if (f[flag] !== undefined) throw new CliError(`--${flag}: not used with a NIR file (${file})`);
  const options = nirFlags(f);
  const doc = await readNir(new Uint8Array(readFileSync(file)), { source: file });
  const summary = summarizeNir(doc, { ...options, source: file });
  if (f.json === true) return summary;
  process.stdout.write(`${formatNirSummary(summary)}\n`);
  return null;
}

export interface ImportResult {
  command: 'import';
  file: string;
  summary: ImportSummary;
  inputs: ParityInputs;
  /** The parity check without the raw outputs. */
  parity: Omit<ParityResult, 'onnx' | 'spikelite'>;
  wallMs: number;
}

/** The ONNX file, imported; an unreadable or unsupported file is one CLI line. */
export function importFile(file: string, options: ImportOptions = {}): OnnxImport {
  if (!existsSync(file)) throw new CliError(`${file}: file not found`);
  try {
    return importOnnx(file, options);
  } catch (e) {
    if (e instanceof OnnxImportError) throw new CliError(e.message);
    throw e;
  }
}

const fmt = (x: number): string => (x === 0 ? '0' : x.toPrecision(2));

export async function importCommand(argv: string[]): Promise<ImportResult | NirSummary | CommandOutcome | null> {
  const { values: f, positionals } = parseFlags(argv, FLAGS, true);
  const t0 = performance.now();
  const log = stderrLog(f.json === true);
  if (positionals.length !== 1) {
    throw new CliError(`import: expected one ONNX FILE, got ${positionals.length === 0 ? 'none' : positionals.map((p) => `'${p}'`).join(' ')} (see --help)`);
  }
  const file = positionals[0]!;
  if (!existsSync(file)) throw new CliError(`${file}: file not found`);
  if (isNirFile(file)) return importNir(file, f);
  for (const flag of NIR_ONLY) if (f[flag as keyof typeof f] !== undefined) throw new CliError(`--${flag}: used with NIR files only, not ${file}`);
  const limit = intFlag('limit', f.limit, { min: 1, fallback: 64 })!;
  const seed = intFlag('seed', f.seed, { min: 0, fallback: 0 })!;
  backendFlag(f.backend);
  // The file is checked before the engine starts: a bad path or model fails at once. A
  // normalising transform's mean/std go in front of the model (the images stay raw pixels).
  const moved = f.data === undefined && f.transform === undefined ? { data: undefined, input: onnxInputFlags(f) } : withTransformNormalization(dataRefFlags(f), onnxInputFlags(f));
  const input = moved.input;
  const imported = importFile(file, onnxImportOptions(input));
  const summary = summarizeImport(imported);
  const engine = await startEngine(f.backend, log);

  // ONNX's own input shape: [N, C, H, W], or [N, F] for a flat-input model; dynamic axes as --input-shape gave them.
  const dims = imported.report.input.dims.slice(1).map((d, i) => (typeof d === 'number' ? d : input.inputShape![i]!));
  const n = typeof imported.report.batch === 'number' ? imported.report.batch : limit;
  const { inputs, data } = await parityInputs({ data: moved.data, dims, count: n, seed, exactCount: true, defaultOptional: true }, log);
  const p = await checkParity(file, { data, shape: [n, ...dims] }, { imported });
  const result: ImportResult = {
    command: 'import',
    file,
    summary,
    inputs,
    parity: {
      backend: engine.backend,
      images: p.images,
      maxAbsDiff: p.maxAbsDiff,
      outputRange: p.outputRange,
      relativeDiff: p.relativeDiff,
      top1Agreement: p.top1Agreement,
      tolerance: p.tolerance,
      ok: p.ok,
      nonFinite: p.nonFinite,
    },
    wallMs: Math.round(performance.now() - t0),
  };
  const where = inputs.kind === 'dataset' ? `${n} ${inputs.name} test images` : `${n} seeded random inputs (seed ${seed}: ${inputs.reason})`;
  const bad = p.nonFinite.map((w) => `${w.name} (${[w.nan > 0 ? `${w.nan} NaN` : '', w.infinite > 0 ? `${w.infinite} infinite` : ''].filter(Boolean).join(', ')} of ${w.size} values)`);
  const verdict =
    `parity with onnxruntime on ${where}, ${engine.backend} backend: max |diff| ${fmt(p.maxAbsDiff)} = ${fmt(p.relativeDiff)} of the ` +
    `output range ${p.outputRange.span.toFixed(3)}; ${p.top1Agreement === null ? '' : `top-1 agreement ${(p.top1Agreement * 100).toFixed(1)}%; `}` +
    (p.ok ? 'ok' : `NOT ok (tolerance ${p.tolerance})`) +
    (bad.length > 0 ? `; weights with NaN or infinite values: ${bad.join(', ')}` : '');
  log.done();
  if (f.json) log.info(verdict);
  else process.stdout.write(`${formatSummary(summary)}\n${verdict}\n`);
  const value = f.json ? result : null;
  if (p.ok) return value;
  const why = bad.length > 0 ? `the model has weights with NaN or infinite values: ${bad.join(', ')}` : `spikelite's outputs differ from onnxruntime's by ${fmt(p.relativeDiff)} of their range (tolerance ${p.tolerance})`;
  return new CommandOutcome(value, CHECK_FAILED, `spikelite: ${file}: parity check failed: ${why}`);
}

/**
 * `spikelite import FILE`: what an ONNX ANN becomes in spikelite (layers, parameters, MACs)
 * and whether the import computes what onnxruntime computes, on dataset images when the
 * model's input fits the dataset, else on seeded random inputs.
 */
import { existsSync } from 'node:fs';
import { checkParity, formatSummary, importOnnx, OnnxImportError, summarizeImport, type ImportOptions, type ImportSummary, type OnnxImport, type ParityResult } from '@spikelite/onnx';
import { onnxImportOptions } from '@spikelite/pipelines';
import { ONNX_INPUT_FLAGS, ONNX_INPUT_HELP, onnxInputFlags } from '../onnx-flags.js';
import { intFlag, parseFlags } from '../args.js';
import { CHECK_FAILED, CliError, CommandOutcome } from '../errors.js';
import { parityInputs, type ParityInputs } from '../onnx-inputs.js';
import { backendFlag, startEngine, stderrLog } from '../setup.js';

export const IMPORT_HELP = `spikelite import — summarise an ONNX ANN and check the import against onnxruntime

  FILE                 the ONNX model ([N, C, H, W] image input, or any other; its output may be a feature map)
${ONNX_INPUT_HELP}
  --data <name|dir>    parity images: fashion-mnist (default), or a directory of IDX/CIFAR files; when the
                       model's input does not fit the dataset, seeded random inputs in [0, 1) instead
  --limit N            images in the parity check (default 64; a model with a fixed batch uses its batch)
  --seed S             seed of the random inputs (default 0)
  --backend B          tensorflow | wasm | cpu (default: best available)
  --json               print { command, file, summary, inputs, parity } on stdout

Prints the layer table (spikelite layers, NHWC output shapes, parameters, MACs per image), the
ONNX nodes folded or removed, and the largest difference between onnxruntime's and spikelite's
outputs relative to the output range (ok when ≤ 1e-4).

Examples:
  spikelite import tooling/fixtures/onnx/fmnist-cnn-bn.onnx --limit 100
  spikelite import tooling/zoo/fixtures/efficientnet_b0.onnx --input-shape 3x32x32`;

const FLAGS = {
  data: { type: 'string' }, limit: { type: 'string' }, seed: { type: 'string' }, backend: { type: 'string' },
  json: { type: 'boolean' }, help: { type: 'boolean' }, ...ONNX_INPUT_FLAGS,
} as const;

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

export async function importCommand(argv: string[]): Promise<ImportResult | CommandOutcome | null> {
  const { values: f, positionals } = parseFlags(argv, FLAGS, true);
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
  const input = onnxInputFlags(f);
  const imported = importFile(file, onnxImportOptions(input));
  const summary = summarizeImport(imported);
  const engine = await startEngine(f.backend, log);

  // ONNX's own input shape: [N, C, H, W], or [N, F] for a flat-input model; dynamic axes as --input-shape gave them.
  const dims = imported.report.input.dims.slice(1).map((d, i) => (typeof d === 'number' ? d : input.inputShape![i]!));
  const n = typeof imported.report.batch === 'number' ? imported.report.batch : limit;
  const { inputs, data } = await parityInputs({ data: f.data, dims, count: n, seed, exactCount: true, defaultOptional: true }, log);
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

/**
 * The grid of `spikelite sweep`, from flags (`--onnx a.onnx,b.onnx --methods threshold,fs
 * --timesteps 4,8,16 --seeds 0,1 --set fs.fit=samples,missing`) or from a YAML or JSON file
 * (`--grid grid.yaml`), as the input of @spikelite/pipelines' SweepSpec, which validates it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { DataError, loadDataset } from '@spikelite/data';
import { METHOD_IDS, parseSweepSpec, type MethodId, type SweepSpec, type SweepSpecInput } from '@spikelite/pipelines';
import { parse as parseYaml } from 'yaml';
import { intFlag } from './args.js';
import { CliError } from './errors.js';
import { METHOD_FLAGS, methodConfig } from './method-flags.js';
import { dataRefFlags, withTransformNormalization } from './data-flags.js';
import { onnxInputFlags } from './onnx-flags.js';
import { SHIPPED_FASHION_MNIST, type Log } from './setup.js';

/** A comma-separated list flag; empty items are errors. */
function listFlag(name: string, raw: string): string[] {
  const items = raw.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new CliError(`--${name}: expected a comma-separated list, got '${raw}'`);
  return items;
}

const intList = (name: string, raw: string, min: number): number[] => listFlag(name, raw).map((v) => intFlag(name, v, { min })!);

/** `--set M.OPTION=A,B,…` (repeatable; OPTION as its flag, e.g. fs.fit=samples,missing or threshold.calib-steps=50) → per method, option values. */
function setFlags(raw: readonly string[]): Record<string, Record<string, Array<number | string | boolean>>> {
  const out: Record<string, Record<string, Array<number | string | boolean>>> = {};
  for (const s of raw) {
    const m = /^([a-z]+)\.([a-z][a-z-]*)=(.*)$/.exec(s);
    if (m === null || !(METHOD_IDS as string[]).includes(m[1]!)) throw new CliError(`--set: expected METHOD.OPTION=VALUE[,VALUE…] with METHOD one of ${METHOD_IDS.join(', ')}, got '${s}'`);
    const [, method, flag, values] = m as unknown as [string, MethodId, string, string];
    if (!(flag in METHOD_FLAGS)) throw new CliError(`--set: ${s}: unknown option --${flag} (spikelite train --help lists every method's options)`);
    const parsed = listFlag('set', values).map((v) => Object.entries(methodConfig(method, { [flag]: v }))[0]!);
    const [name] = parsed[0]!;
    out[method] = { ...out[method], [name]: parsed.map(([, v]) => v as number | string | boolean) };
  }
  return out;
}

export interface GridFlags {
  grid?: string | undefined;
  onnx?: string | undefined;
  model?: string | undefined;
  methods?: string | undefined;
  timesteps?: string | undefined;
  seeds?: string | undefined;
  set?: string[] | undefined;
  data?: string | undefined;
  transform?: string | undefined;
  'skip-bad-images'?: boolean | undefined;
  bins?: string | undefined;
  'limit-train'?: string | undefined;
  'limit-test'?: string | undefined;
  profile?: string | undefined;
  'input-shape'?: string | undefined;
  mean?: string | undefined;
  std?: string | undefined;
}

/** The flags that make a grid (all but --grid); with --grid none of them may be given. */
const GRID_FLAGS = ['onnx', 'model', 'methods', 'timesteps', 'seeds', 'set', 'data', 'transform', 'skip-bad-images', 'bins', 'limit-train', 'limit-test', 'profile', 'input-shape', 'mean', 'std'] as const;

/** The grid described by the flags (`defaultOnnx` when neither --onnx nor --model is given). */
export function gridFromFlags(f: GridFlags, defaultOnnx: string): SweepSpecInput {
  const models = [...(f.onnx !== undefined ? listFlag('onnx', f.onnx) : []), ...(f.model !== undefined ? listFlag('model', f.model) : [])];
  for (const m of f.onnx !== undefined ? listFlag('onnx', f.onnx) : []) if (!m.toLowerCase().endsWith('.onnx')) throw new CliError(`--onnx: ${m}: expected a .onnx file`);
  const limitTrain = intFlag('limit-train', f['limit-train'], { min: 1 });
  const limitTest = intFlag('limit-test', f['limit-test'], { min: 1 });
  // A normalising --transform moves in front of the ONNX models, as in compare.
  const { data, input: onnxInput } = withTransformNormalization(dataRefFlags(f as Record<string, unknown>, { limitTrain, limitTest }), onnxInputFlags(f as Record<string, unknown>));
  return {
    models: models.length > 0 ? models : [defaultOnnx],
    methods: (f.methods !== undefined ? listFlag('methods', f.methods) : ['threshold', 'fs']) as MethodId[],
    ...(f.timesteps !== undefined ? { timesteps: intList('timesteps', f.timesteps, 1) } : {}),
    ...(f.seeds !== undefined ? { seeds: intList('seeds', f.seeds, 0) } : {}),
    options: setFlags(f.set ?? []),
    ...(Object.keys(onnxInput).length > 0 ? { onnxInput } : {}),
    data,
    ...(f.profile !== undefined ? { energyProfile: f.profile } : {}),
  };
}

/** A grid file: YAML (`.yaml`, `.yml`) or JSON; errors name the file. */
export async function gridFromFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`--grid: ${file}: ${code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? (e as Error).message})`}`);
  }
  try {
    return /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    const why = (e as Error).message.split('\n')[0]!;
    throw new CliError(`--grid: ${file}: not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'} (${why})`);
  }
}

/** The grid of the command line: --grid FILE, or the grid flags; validated (errors name the field). */
export async function sweepGrid(f: GridFlags, defaultOnnx: string): Promise<SweepSpec> {
  if (f.grid !== undefined) {
    const both = GRID_FLAGS.filter((k) => f[k] !== undefined);
    if (both.length > 0) throw new CliError(`--grid: the grid file describes the whole grid; drop ${both.map((k) => `--${k}`).join(', ')}`);
  }
  const input = f.grid !== undefined ? await gridFromFile(f.grid) : gridFromFlags(f, defaultOnnx);
  try {
    return parseSweepSpec(input);
  } catch (e) {
    // `sweep grid: options.fs.fit.1: …`, naming the file it came from.
    if (f.grid !== undefined && (e as Error).name === 'SpikeliteConfigError') throw new CliError(`--grid: ${f.grid}: ${(e as Error).message.split('\n').join('; ')}`);
    throw e;
  }
}

/**
 * `fashion-mnist` where Debian's set is not installed: the shipped subset's directory, named in
 * the grid itself, so that the cells (and their runKeys) say which data they ran on and every
 * worker loads the same images.
 */
export async function withShippedData(spec: SweepSpec, log: Log): Promise<SweepSpec> {
  if (spec.data.name.toLowerCase() !== 'fashion-mnist') return spec;
  try {
    await loadDataset(spec.data.name, { limitTrain: 1, limitTest: 1 });
    return spec;
  } catch (e) {
    if (!(e instanceof DataError) || !existsSync(SHIPPED_FASHION_MNIST)) throw e;
  }
  log.info(`Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist for all 70,000 images): the sweep runs on the shipped subset, ${SHIPPED_FASHION_MNIST}`);
  return { ...spec, data: { ...spec.data, name: SHIPPED_FASHION_MNIST } };
}

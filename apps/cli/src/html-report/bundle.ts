/**
 * The input of the HTML report: a ReportBundle (zod schema below), and `bundleFromFiles`,
 * which merges bundles, RunReports and `spikelite convert --sweep --json` outputs into one.
 * Every error names the file and, for schema problems, the field.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { METHOD_STEPS, parseWith, RunReport, type Method } from '@spikelite/schemas';
import { z } from 'zod';
import { CliError } from '../errors.js';

export const REPORT_BUNDLE_KIND = 'spikelite-report';

const Name = z.string().min(1);
const NonNegInt = z.int().min(0);
const PosInt = z.int().min(1);
const NonNeg = z.number().min(0);
const Fraction = z.number().min(0).max(1);

export const SweepSeries = z.strictObject({
  method: Name,
  /** T for threshold/diet sweeps, K (steps per FS neuron) for fs. */
  stepsLabel: z.enum(['T', 'K']),
  rows: z.array(z.strictObject({ steps: PosInt, accuracy: Fraction, spikesPerNeuron: NonNeg, energyRatio: NonNeg })),
});
export type SweepSeries = z.infer<typeof SweepSeries>;

export const RasterLayer = z
  .strictObject({
    /** Index of the activation layer in the network (0-based). */
    layer: NonNegInt,
    /** The activation's path, e.g. 'layers.1'. */
    name: Name,
    /** Neurons per image in the layer. */
    neurons: NonNegInt,
    /** Neurons drawn (rows 0..shown−1). */
    shown: NonNegInt,
    /** Optional: each row's flat (NHWC) neuron index in the layer, ascending. */
    indices: z.array(NonNegInt).optional(),
    /** [t, row]: row `row` fired (or, for FS neurons, sent a graded spike > 0) at step t. */
    events: z.array(z.tuple([NonNegInt, NonNegInt])),
  })
  .superRefine((l, ctx) => {
    if (l.shown > l.neurons) ctx.addIssue({ code: 'custom', path: ['shown'], message: `shown ${l.shown} exceeds neurons ${l.neurons}` });
    if (l.indices !== undefined && l.indices.length !== l.shown) {
      ctx.addIssue({ code: 'custom', path: ['indices'], message: `expected ${l.shown} indices (shown), got ${l.indices.length}` });
    }
    const bad = l.events.findIndex(([, row]) => row >= l.shown);
    if (bad >= 0) ctx.addIssue({ code: 'custom', path: ['events', bad, 1], message: `row ${l.events[bad]![1]} is not below shown (${l.shown})` });
  });
export type RasterLayer = z.infer<typeof RasterLayer>;

export const Raster = z
  .strictObject({
    method: Name,
    /** Steps of the SNN's forward pass (1 for FS blocks: their K steps run inside the layer). */
    timesteps: PosInt,
    image: z
      .strictObject({
        label: NonNegInt,
        predicted: NonNegInt,
        width: PosInt,
        height: PosInt,
        /** Defaults to 1 (grey); pixels are H×W×C, NHWC order. */
        channels: PosInt.optional(),
        pixels: z.array(z.number()),
      })
      .superRefine((im, ctx) => {
        const n = im.width * im.height * (im.channels ?? 1);
        if (im.pixels.length !== n) ctx.addIssue({ code: 'custom', path: ['pixels'], message: `expected ${n} values (height × width × channels), got ${im.pixels.length}` });
      }),
    layers: z.array(RasterLayer),
  })
  .superRefine((r, ctx) => {
    r.layers.forEach((l, i) => {
      const bad = l.events.findIndex(([t]) => t >= r.timesteps);
      if (bad >= 0) ctx.addIssue({ code: 'custom', path: ['layers', i, 'events', bad, 0], message: `step ${l.events[bad]![0]} is not below timesteps (${r.timesteps})` });
    });
  });
export type Raster = z.infer<typeof Raster>;

export const ReportBundle = z.strictObject({
  kind: z.literal(REPORT_BUNDLE_KIND),
  version: z.literal(1),
  title: Name,
  createdAt: z.string(),
  dataset: RunReport.shape.dataset,
  /** The reference ANN: its test accuracy (null if unknown) and where it came from (e.g. the ONNX file). */
  ann: z.strictObject({ accuracy: Fraction.nullable(), source: z.string() }),
  runs: z.array(RunReport),
  sweeps: z.array(SweepSeries),
  rasters: z.array(Raster),
});
export type ReportBundle = z.infer<typeof ReportBundle>;
export type ReportBundleInput = z.input<typeof ReportBundle>;

/** What `spikelite convert --sweep --json` prints (extra fields such as backend and wallMs pass). */
export const ConvertSweepOutput = z.looseObject({
  command: z.literal('convert'),
  method: Name,
  annAccuracy: Fraction.nullable(),
  dataset: RunReport.shape.dataset,
  sweep: z.array(
    z.looseObject({ steps: PosInt, accuracy: Fraction, spikesPerNeuron: NonNeg, energy: z.looseObject({ ratio: NonNeg }) }),
  ),
});
export type ConvertSweepOutput = z.infer<typeof ConvertSweepOutput>;

/** Run a parse; its SpikeliteConfigError (naming the source and the field) becomes one CliError line. */
function asCliError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if ((e as Error).name === 'SpikeliteConfigError') throw new CliError((e as Error).message.split('\n').join('; '));
    throw e;
  }
}

/** Parse with the shared readable errors (`source: field: problem`). */
function parseAs<S extends z.ZodType>(schema: S, value: unknown, source: string): z.output<S> {
  return asCliError(() => parseWith(schema, value, source));
}

export type InputKind = 'bundle' | 'run' | 'sweep';

/** Which accepted document `value` claims to be, from its marker fields; null if none. */
export function inputKind(value: unknown): InputKind | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (v.kind === REPORT_BUNDLE_KIND) return 'bundle';
  if (v.schemaVersion !== undefined) return 'run';
  if (v.command === 'convert' && 'sweep' in v) return 'sweep';
  return null;
}

/** The sweep series of a `convert --sweep --json` output (K for fs, T otherwise, as convert labels it). */
export function sweepFromConvert(out: ConvertSweepOutput): SweepSeries {
  return {
    method: out.method,
    stepsLabel: METHOD_STEPS[out.method as Method] ?? 'T',
    rows: out.sweep.map((r) => ({ steps: r.steps, accuracy: r.accuracy, spikesPerNeuron: r.spikesPerNeuron, energyRatio: r.energy.ratio })),
  };
}

export interface ParsedInput {
  source: string;
  value: unknown;
}

export interface MergeOptions {
  /** Overrides the bundles' title. */
  title?: string;
  /** createdAt of the merged bundle (default: now). */
  createdAt?: string;
}

/**
 * Merge parsed documents into one bundle: runs, sweeps and rasters are concatenated in input
 * order; title, dataset sizes and the ANN come from the first input that has them. All inputs
 * must be on one dataset.
 */
export function mergeInputs(inputs: readonly ParsedInput[], options: MergeOptions = {}): ReportBundle {
  if (inputs.length === 0) throw new CliError('no input files (give bundle, RunReport or convert --sweep JSON files)');
  let title: string | undefined;
  let dataset: { value: ReportBundle['dataset']; source: string } | undefined;
  let ann: ReportBundle['ann'] | undefined;
  const runs: ReportBundle['runs'] = [];
  const sweeps: ReportBundle['sweeps'] = [];
  const rasters: ReportBundle['rasters'] = [];

  const useDataset = (d: ReportBundle['dataset'], source: string): void => {
    if (dataset === undefined) dataset = { value: d, source };
    else if (dataset.value.name !== d.name) {
      throw new CliError(`${source}: dataset.name '${d.name}' differs from '${dataset.value.name}' (${dataset.source}); a report covers one dataset`);
    }
  };
  const useAnn = (accuracy: number | null, source: string): void => {
    if (ann === undefined && accuracy !== null) ann = { accuracy, source };
  };

  for (const { source, value } of inputs) {
    const kind = inputKind(value);
    const name = basename(source);
    if (kind === 'bundle') {
      const b = parseAs(ReportBundle, value, source);
      title ??= b.title;
      useDataset(b.dataset, source);
      if (b.ann.accuracy !== null) useAnn(b.ann.accuracy, b.ann.source);
      runs.push(...b.runs);
      sweeps.push(...b.sweeps);
      rasters.push(...b.rasters);
    } else if (kind === 'run') {
      const r = asCliError(() => parseWith(RunReport, value, source));
      useDataset(r.dataset, source);
      useAnn(r.annAccuracy, `annAccuracy of ${name}`);
      runs.push(r);
    } else if (kind === 'sweep') {
      const s = parseAs(ConvertSweepOutput, value, source);
      useDataset(s.dataset, source);
      useAnn(s.annAccuracy, `annAccuracy of ${name}`);
      sweeps.push(sweepFromConvert(s));
    } else {
      throw new CliError(
        `${source}: not a report input: expected a report bundle ("kind": "${REPORT_BUNDLE_KIND}"), a RunReport ("schemaVersion": 1) or 'spikelite convert --sweep --json' output ("command": "convert" with "sweep")`,
      );
    }
  }
  const d = dataset!.value;
  return {
    kind: REPORT_BUNDLE_KIND,
    version: 1,
    title: options.title ?? title ?? `spikelite on ${d.name}`,
    createdAt: options.createdAt ?? new Date().toISOString(),
    dataset: d,
    ann: ann ?? { accuracy: null, source: 'none of the inputs gives an ANN accuracy' },
    runs,
    sweeps,
    rasters,
  };
}

/** Read JSON files (bundles, RunReports, convert --sweep outputs) and merge them into one bundle. */
export async function bundleFromFiles(paths: readonly string[], options: MergeOptions = {}): Promise<ReportBundle> {
  const inputs: ParsedInput[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CliError(`${path}: ${code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, expected a JSON file' : `cannot read (${code ?? (e as Error).message})`}`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      // JSON.parse quotes the text around the error, newlines included: keep it one short line.
      const why = (e as Error).message.replace(/\s+/g, ' ');
      throw new CliError(`${path}: not valid JSON (${why.length > 120 ? `${why.slice(0, 117)}...` : why})`);
    }
    inputs.push({ source: path, value });
  }
  return mergeInputs(inputs, options);
}

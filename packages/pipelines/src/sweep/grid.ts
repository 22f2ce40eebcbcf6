/**
 * A sweep grid: models × methods × T/K values × method options × seeds, validated by zod
 * (option names and values against each method's config schema in the registry), expanded to
 * cells — each one method run description, named by its `runKey` — in a stable order.
 */
import { basename } from 'node:path';
import { PRESET_NAMES } from '@spikelite/models';
import { EnergyProfile, Method, parseWith } from '@spikelite/schemas';
import { z } from 'zod';
import { configFields } from '../fields.js';
import { getMethod, METHODS, type MethodId } from '../registry.js';
import { DataRef, ModelRef, OnnxInputOptions, parseMethodRun, runKey, type MethodRun, type ModelRefInput } from '../run-spec.js';

const Scalar = z.union([z.number(), z.string(), z.boolean()]);
type Scalar = z.infer<typeof Scalar>;

/**
 * A model of the grid: a model reference, or a string — a path ending in `.onnx` (an ONNX file), a
 * preset name, or a path ending in `.json` (a ModelSpec file).
 */
export const SweepModel = z.union([z.string().min(1), ModelRef]);

export const SweepSpec = z
  .strictObject({
    models: z.array(SweepModel).min(1),
    methods: z.array(Method).min(1),
    /** T (K for fs) of every method that counts steps; a method's own `options.<m>.timesteps` wins. */
    timesteps: z.array(z.int().min(1)).min(1).optional(),
    seeds: z.array(z.int().min(0)).min(1).default([0]),
    /** Per method, values per config option (a single value or a list): `{ fs: { fit: ['samples', 'missing'] } }`. */
    options: z.record(z.string(), z.record(z.string(), z.union([Scalar, z.array(Scalar).min(1)]))).default({}),
    /** Input options of the models given as `.onnx` strings (a model reference carries its own). */
    onnxInput: z.strictObject(OnnxInputOptions).optional(),
    data: DataRef,
    /** A built-in energy profile name, a profile JSON file, or a profile (default cmos45nm-fp32). */
    energyProfile: z.union([z.string().min(1), EnergyProfile]).optional(),
  })
  .superRefine((s, ctx) => {
    const dup = (list: readonly unknown[], path: Array<string | number>): void => {
      const seen = new Set<string>();
      list.forEach((v, i) => {
        const k = JSON.stringify(v);
        if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `${k} is listed twice` });
        seen.add(k);
      });
    };
    dup(s.models, ['models']);
    dup(s.methods, ['methods']);
    dup(s.seeds, ['seeds']);
    if (s.timesteps !== undefined) dup(s.timesteps, ['timesteps']);
    s.models.forEach((m, i) => {
      if (typeof m === 'string' && modelOf(m) === null) {
        ctx.addIssue({ code: 'custom', path: ['models', i], message: `'${m}' is not an .onnx file, a .json ModelSpec or a preset (presets: ${PRESET_NAMES.join(', ')})` });
      }
    });
    if (s.timesteps !== undefined && !s.methods.some((m) => stepsOf(m))) {
      ctx.addIssue({ code: 'custom', path: ['timesteps'], message: `none of the methods (${s.methods.join(', ')}) counts steps` });
    }
    for (const [method, options] of Object.entries(s.options)) {
      if (!(s.methods as string[]).includes(method)) {
        ctx.addIssue({ code: 'custom', path: ['options', method], message: `${method} is not among the methods (${s.methods.join(', ')})` });
        continue;
      }
      const shape = getMethod(method).schema.shape as Record<string, z.ZodType>;
      for (const [name, values] of Object.entries(options)) {
        const field = shape[name];
        if (field === undefined) {
          ctx.addIssue({ code: 'custom', path: ['options', method, name], message: `not an option of the ${method} method (its options: ${Object.keys(shape).join(', ')})` });
          continue;
        }
        const list = Array.isArray(values) ? values : [values];
        dup(list, ['options', method, name]);
        list.forEach((v, i) => {
          const r = field.safeParse(v);
          if (!r.success || r.data === undefined) {
            const why = r.success ? 'a value is required' : (r.error.issues[0]?.message ?? 'invalid');
            ctx.addIssue({ code: 'custom', path: ['options', method, name, ...(Array.isArray(values) ? [i] : [])], message: `${why}, got ${JSON.stringify(v)}` });
          }
        });
      }
    }
  });
export type SweepSpec = z.infer<typeof SweepSpec>;
export type SweepSpecInput = z.input<typeof SweepSpec>;

/** One cell of a sweep: a method run, named by its runKey, with the grid values that chose it. */
export interface SweepCell {
  /** Position in the grid's order (0-based). */
  index: number;
  /** `runKey(run)`: names the cell's report file and its queue job. */
  key: string;
  /** For people: `threshold T=8 seed=0`, with the model and options that vary in the grid. */
  label: string;
  /** The parsed run description (every default filled in). */
  run: MethodRun;
  /** The grid values of this cell: the model's short name, method, T/K (null: the method's default or none), options set, seed. */
  axes: { model: string; method: MethodId; steps: number | null; options: Record<string, Scalar>; seed: number };
}

const stepsOf = (m: MethodId): boolean => getMethod(m).steps.label !== null && 'timesteps' in getMethod(m).schema.shape;

/** A string model entry as a model reference, or null if it is none of .onnx, .json, preset. */
function modelOf(s: string): ModelRefInput | null {
  if (s.toLowerCase().endsWith('.onnx')) return { kind: 'onnx', file: s };
  if (s.toLowerCase().endsWith('.json')) return { kind: 'specFile', file: s };
  if (PRESET_NAMES.includes(s)) return { kind: 'preset', name: s };
  return null;
}

/** The grid's models as references (strings resolved; `.onnx` strings take `onnxInput`). */
export function sweepModels(spec: SweepSpec): ModelRef[] {
  return spec.models.map((m) => {
    if (typeof m !== 'string') return m;
    const ref = modelOf(m)!;
    return ref.kind === 'onnx' ? ModelRef.parse({ ...ref, ...spec.onnxInput }) : ModelRef.parse(ref);
  });
}

/** A model's short name in labels and tables: the file's base name without extension, the preset, or the spec's name. */
export function modelName(ref: ModelRef): string {
  switch (ref.kind) {
    case 'onnx':
    case 'specFile':
      return basename(ref.file).replace(/\.(onnx|json)$/i, '');
    case 'preset':
      return ref.name;
    case 'spec':
      return ref.spec.name ?? 'spec';
  }
}

/** Every combination of the axes' values, the first axis slowest. */
function product(axes: ReadonlyArray<readonly [string, readonly Scalar[]]>): Array<Record<string, Scalar>> {
  let out: Array<Record<string, Scalar>> = [{}];
  for (const [name, values] of axes) out = out.flatMap((o) => values.map((v) => ({ ...o, [name]: v })));
  return out;
}

/** Validates a grid (errors name the field: `sweep grid: options.fs.fit.1: …`). */
export function parseSweepSpec(input: unknown): SweepSpec {
  return parseWith(SweepSpec, input, 'sweep grid');
}

/**
 * The cells of a grid, in a stable order: models (as listed), methods (as listed), then the
 * method's option values (options in the order of the method's config schema, T/K first), then
 * seeds. Cells that are the same run (e.g. an option listed at its default and left out) are
 * kept once, at their first place.
 */
export function expandSweep(input: SweepSpec | SweepSpecInput): SweepCell[] {
  const spec = parseSweepSpec(input);
  const models = sweepModels(spec);
  const names = models.map(modelName);
  const varies = (values: readonly unknown[]): boolean => values.length > 1;
  const cells: SweepCell[] = [];
  const seen = new Set<string>();
  models.forEach((model, mi) => {
    for (const method of spec.methods) {
      const def = getMethod(method);
      const given: Record<string, Scalar | Scalar[]> = { ...(spec.timesteps !== undefined && stepsOf(method) ? { timesteps: spec.timesteps } : {}), ...spec.options[method] };
      // Axes in the schema's field order, so a grid file's key order does not change the cells' order.
      const axes = configFields(METHODS[method].schema)
        .filter((f) => f.name in given)
        .map((f) => [f.name, ([] as Scalar[]).concat(given[f.name]!)] as const);
      for (const options of product(axes)) {
        for (const seed of spec.seeds) {
          const run = parseMethodRun({
            method, config: options, model, data: spec.data, seed,
            ...(spec.energyProfile !== undefined ? { energyProfile: spec.energyProfile } : {}),
          });
          const key = runKey(run);
          if (seen.has(key)) continue;
          seen.add(key);
          const steps = typeof options['timesteps'] === 'number' ? options['timesteps'] : null;
          const shown = axes.filter(([n, v]) => n !== 'timesteps' && varies(v)).map(([n]) => `${n}=${String(options[n])}`);
          const label = [
            ...(varies(models) ? [names[mi]!] : []),
            method,
            ...(steps !== null && def.steps.label !== null ? [`${def.steps.label}=${steps}`] : []),
            ...shown,
            `seed=${seed}`,
          ].join(' ');
          cells.push({ index: cells.length, key, label, run, axes: { model: names[mi]!, method, steps, options, seed } });
        }
      }
    }
  });
  return cells;
}

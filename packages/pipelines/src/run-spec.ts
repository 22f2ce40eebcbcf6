/**
 * A method run described by JSON: the method, its config, which model and which data, the
 * seed, and the energy profile. The same description (after parsing: defaults filled in)
 * always gives the same RunReport (up to its wallMs), so its hash can name the run (`runKey`),
 * e.g. a job on a queue.
 */
import { createHash } from 'node:crypto';
import { parseEventDatasetSpec, parseImageDatasetSpec } from '@spikelite/data';
import { EnergyProfile, Method, ModelSpec, parseWith, Preprocess, resolvePreprocess, SpikeliteConfigError } from '@spikelite/schemas';
import { z } from 'zod';
import { PipelineError } from './errors.js';
import { getMethod, type MethodConfig, type MethodId } from './registry.js';

/**
 * How an ONNX model takes images: the sizes of its dynamic axes after the batch (C, H, W), and
 * the per-channel mean and std it was trained on (torchvision: ImageNet's) — spikelite puts the
 * normalisation in front of the network, so datasets stay raw pixels in [0, 1].
 */
export const OnnxInputOptions = {
  inputShape: z.array(z.int().min(1)).min(1).optional(),
  mean: z.array(z.number()).min(1).optional(),
  std: z.array(z.number().positive()).min(1).optional(),
};
export type OnnxInput = { inputShape?: number[] | undefined; mean?: number[] | undefined; std?: number[] | undefined };

/** A file's content hash: sha256, 64 lower-case hex digits. */
export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a sha256: 64 lower-case hex digits' });

/** Where the model comes from: an ONNX file (trained weights), a preset or a ModelSpec (trained from random weights). */
export const ModelRef = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('onnx'),
      file: z.string().min(1),
      ...OnnxInputOptions,
      /**
       * The file's sha256, when the run is pinned to its bytes (a sweep pins every model): the run
       * checks it, `runKey` covers it, and a queue worker fetches the bytes by it.
       */
      sha256: Sha256.optional(),
    })
    .refine((r) => (r.mean === undefined) === (r.std === undefined), { error: 'give mean and std together', path: ['std'] }),
  z.strictObject({ kind: z.literal('preset'), name: z.string().min(1) }),
  z.strictObject({ kind: z.literal('spec'), spec: ModelSpec }),
  z.strictObject({ kind: z.literal('specFile'), file: z.string().min(1) }),
]);
export type ModelRef = z.infer<typeof ModelRef>;
export type ModelRefInput = z.input<typeof ModelRef>;

/** A preset name (`imagenet`, `tensor`, `grayscale`) or steps, resolved to the steps (the preset's name kept). */
const PreprocessRef = z.union([z.string().min(1), Preprocess]).transform((p, ctx) => {
  if (typeof p !== 'string') return p;
  try {
    return resolvePreprocess(p);
  } catch (e) {
    if (!(e instanceof SpikeliteConfigError)) throw e;
    ctx.addIssue({ code: 'custom', message: e.issues[0]!.message });
    return z.NEVER;
  }
});

/**
 * A dataset by registered name (e.g. `fashion-mnist`), directory, `folder:DIR`, `list:FILE` or
 * `nmnist:DIR`, how many images of each split, and how its files become images: the
 * preprocessing and corrupt-image policy of image files, the time bins of event recordings.
 */
export const DataRef = z
  .strictObject({
    name: z.string().min(1),
    limitTrain: z.int().min(1).optional(),
    limitTest: z.int().min(1).optional(),
    /** folder:/list: only: the preprocessing, a preset name or steps (default `tensor`: RGB, ToTensor). */
    preprocess: PreprocessRef.optional(),
    /** folder:/list: only: an unreadable or corrupt image stops the run (`stop`, the default) or is left out with a warning (`skip`). */
    onError: z.enum(['stop', 'skip']).optional(),
    /** nmnist:DIR only: time bins (frames) per recording (default 10). */
    bins: z.int().min(1).optional(),
  })
  .superRefine((d, ctx) => {
    const images = parseImageDatasetSpec(d.name) !== undefined;
    for (const field of ['preprocess', 'onError'] as const) {
      if (d[field] !== undefined && !images) ctx.addIssue({ code: 'custom', path: [field], message: `applies to folder:DIR and list:FILE datasets only, not '${d.name}'` });
    }
    if (d.bins !== undefined && parseEventDatasetSpec(d.name) === undefined) ctx.addIssue({ code: 'custom', path: ['bins'], message: `applies to event datasets (nmnist:DIR) only, not '${d.name}'` });
  });
export type DataRef = z.infer<typeof DataRef>;
export type DataRefInput = z.input<typeof DataRef>;

/**
 * Where the mean/std of an ImageNet-style transform goes for an ONNX model: in front of the
 * network (the model's `mean`/`std`), so the data stays raw pixels in [0, 1] as spike encodings
 * need. Returns the transform without its normalize step and the model input with its mean and
 * std; a transform that normalises given with a model that has a mean/std already is an error
 * ("normalised twice").
 */
export function moveNormalization<I extends OnnxInput>(preprocess: Preprocess, input: I): { preprocess: Preprocess; input: I } {
  const norms = preprocess.steps.filter((s) => s.kind === 'normalize');
  if (norms.length === 0) return { preprocess, input };
  const n = norms[0]!;
  if (norms.length > 1) throw new PipelineError(`the transform has ${norms.length} normalize steps; give one`);
  if (input.mean !== undefined || input.std !== undefined) {
    throw new PipelineError(
      `normalised twice: the transform normalises (mean ${n.mean.join(',')}, std ${n.std.join(',')}) and the model has a mean/std (${input.mean?.join(',')} / ${input.std?.join(',')}); ` +
        'give one (the transform without its normalize step, or no mean/std)',
    );
  }
  return { preprocess: { ...preprocess, steps: preprocess.steps.filter((s) => s.kind !== 'normalize') }, input: { ...input, mean: n.mean, std: n.std } };
}

const MethodRunShape = z.strictObject({
  method: Method,
  /** The method's config (its schema fills in the defaults). */
  config: z.record(z.string(), z.unknown()).default({}),
  model: ModelRef,
  data: DataRef,
  /** Seeds weights, shuffling, dropout, calibration subsets. */
  seed: z.int().min(0).default(0),
  /** A built-in energy profile name, a profile JSON file, or a profile (default cmos45nm-fp32). */
  energyProfile: z.union([z.string().min(1), EnergyProfile]).optional(),
});
export type MethodRunInput = z.input<typeof MethodRunShape>;

/** A parsed run: `config` is the method's config with every default filled in. */
export type MethodRun<M extends MethodId = MethodId> = Omit<z.infer<typeof MethodRunShape>, 'method' | 'config'> & {
  method: M;
  config: MethodConfig<M>;
};

/**
 * Validates a run description and its config (errors name the field: `hybrid config: scale: …`).
 * A transform's normalize step moves to an ONNX model's mean/std (`moveNormalization`).
 */
export function parseMethodRun(input: unknown): MethodRun {
  const parsed = parseWith(MethodRunShape, input, 'method run');
  const method = getMethod(parsed.method);
  const config = parseWith(method.schema, parsed.config, `${parsed.method} config`) as MethodConfig;
  let { data, model } = parsed;
  const pre = data.preprocess;
  if (pre !== undefined && model.kind === 'onnx') {
    const moved = moveNormalization(pre, model);
    data = { ...data, preprocess: moved.preprocess };
    model = moved.input;
  } else if (pre?.steps.some((s) => s.kind === 'normalize') && method.rawPixels === true) {
    throw new PipelineError(`the ${method.id} method's input spikes need pixels in [0, 1]: leave the normalize step out of the transform for a model trained here`);
  }
  return { ...parsed, data, model, config } as MethodRun;
}

/** Keys sorted at every level, so equal runs serialise equally. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}

/** A stable id of a run: sha256 of its parsed description (defaults filled in), hex, 16 characters. */
export function runKey(input: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical(parseMethodRun(input)))).digest('hex').slice(0, 16);
}

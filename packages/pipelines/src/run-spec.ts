/**
 * A method run described by JSON: the method, its config, which model and which data, the
 * seed, and the energy profile. The same description (after parsing: defaults filled in)
 * always gives the same RunReport (up to its wallMs), so its hash can name the run (`runKey`),
 * e.g. a job on a queue.
 */
import { createHash } from 'node:crypto';
import { EnergyProfile, Method, ModelSpec, parseWith } from '@spikelite/schemas';
import { z } from 'zod';
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

/** A dataset by registered name (e.g. `fashion-mnist`) or directory, and how many images of each split. */
export const DataRef = z.strictObject({
  name: z.string().min(1),
  limitTrain: z.int().min(1).optional(),
  limitTest: z.int().min(1).optional(),
});
export type DataRef = z.infer<typeof DataRef>;

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

/** Validates a run description and its config (errors name the field: `hybrid config: scale: …`). */
export function parseMethodRun(input: unknown): MethodRun {
  const run = parseWith(MethodRunShape, input, 'method run');
  const config = parseWith(getMethod(run.method).schema, run.config, `${run.method} config`) as MethodConfig;
  return { ...run, config } as MethodRun;
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

/**
 * Checkpoint manifest (`manifest.json`), stored beside one binary weights file. Each tensor
 * is `length` bytes at byte `offset` of that file, little-endian, 4-byte aligned, so it can
 * be viewed as a Float32Array / Int32Array without copying.
 */
import { z } from 'zod';
import { FiniteNumber, NonEmptyString, NonNegativeInt, Uint32 } from './common.js';
import { EncodingSpec } from './encoding.js';
import { Preprocess } from './preprocess.js';
import { ModelSpec } from './model.js';
import { NeuronSpec } from './neuron.js';
import { Method } from './report.js';
import { TrainConfig } from './train.js';

export const TensorDtype = z.enum(['float32', 'int32']);
export type TensorDtype = z.infer<typeof TensorDtype>;

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<TensorDtype, number>> = Object.freeze({ float32: 4, int32: 4 });

export const TensorEntry = z
  .strictObject({
    name: NonEmptyString,
    shape: z.array(NonNegativeInt),
    dtype: TensorDtype,
    /** Byte offset into the weights file; a multiple of 4. */
    offset: NonNegativeInt,
    /** Byte length: product(shape) · bytes per element. */
    length: NonNegativeInt,
  })
  .superRefine((t, ctx) => {
    if (t.offset % 4 !== 0) {
      ctx.addIssue({ code: 'custom', path: ['offset'], message: `offset ${t.offset} is not a multiple of 4` });
    }
    const expected = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
    if (t.length !== expected) {
      ctx.addIssue({
        code: 'custom',
        path: ['length'],
        message: `length ${t.length} does not match shape [${t.shape.join(', ')}] of ${t.dtype} (${expected} bytes)`,
      });
    }
  });
export type TensorEntry = z.infer<typeof TensorEntry>;

/** Optimizer state: its step count and the names (in `tensors`) of its slot tensors. */
export const OptimizerState = z.strictObject({
  kind: z.enum(['adam', 'sgd']),
  step: NonNegativeInt,
  tensorNames: z.array(NonEmptyString),
});
export type OptimizerState = z.infer<typeof OptimizerState>;

/** One epoch's metrics. Known fields are typed; other numeric metrics are allowed. */
export const EpochMetrics = z
  .object({
    epoch: NonNegativeInt,
    trainLoss: FiniteNumber.optional(),
    trainAccuracy: FiniteNumber.optional(),
    testAccuracy: FiniteNumber.optional(),
    lr: FiniteNumber.optional(),
    spikesPerNeuron: FiniteNumber.optional(),
    wallMs: FiniteNumber.optional(),
  })
  .catchall(FiniteNumber);
export type EpochMetrics = z.infer<typeof EpochMetrics>;

export const CHECKPOINT_KIND = 'spikelite-checkpoint';

export const Checkpoint = z
  .strictObject({
    schemaVersion: z.literal(1),
    kind: z.literal(CHECKPOINT_KIND),
    spec: ModelSpec,
    neuron: NeuronSpec.optional(),
    encoding: EncodingSpec.optional(),
    train: TrainConfig.optional(),
    method: Method,
    /** Completed epochs. */
    epoch: NonNegativeInt,
    /** Completed optimizer steps. */
    step: NonNegativeInt,
    /** RNG state to resume from: the four uint32 words of the engine's xoshiro128** (`RngState`). */
    rng: z.tuple([Uint32, Uint32, Uint32, Uint32]),
    tensors: z.array(TensorEntry),
    optimizer: OptimizerState.optional(),
    metrics: z.array(EpochMetrics).optional(),
    /** The image preprocessing the model was trained or converted with; eval applies the same. */
    preprocess: Preprocess.optional(),
    /** ISO 8601 timestamp, e.g. `new Date().toISOString()`. */
    createdAt: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time string' }),
  })
  .superRefine(
    (c, ctx) => {
      const seen = new Map<string, number>();
      c.tensors.forEach((t, i) => {
        const first = seen.get(t.name);
        if (first !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['tensors', i, 'name'],
            message: `duplicate tensor name '${t.name}' (also tensors.${first})`,
          });
        } else seen.set(t.name, i);
      });
      const byOffset = c.tensors
        .map((t, i) => ({ t, i }))
        .filter(({ t }) => t.length > 0)
        .sort((a, b) => a.t.offset - b.t.offset);
      for (let k = 1; k < byOffset.length; k++) {
        const prev = byOffset[k - 1];
        const cur = byOffset[k];
        if (prev !== undefined && cur !== undefined && cur.t.offset < prev.t.offset + prev.t.length) {
          ctx.addIssue({
            code: 'custom',
            path: ['tensors', cur.i, 'offset'],
            message: `tensor '${cur.t.name}' overlaps tensor '${prev.t.name}' in the weights file`,
          });
        }
      }
      c.optimizer?.tensorNames.forEach((name, i) => {
        if (!seen.has(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['optimizer', 'tensorNames', i],
            message: `optimizer tensor '${name}' is not in tensors`,
          });
        }
      });
    },
    // Cross-tensor checks assume every entry is valid on its own.
    { when: (payload) => payload.issues.length === 0 },
  );
export type Checkpoint = z.infer<typeof Checkpoint>;
export type CheckpointInput = z.input<typeof Checkpoint>;

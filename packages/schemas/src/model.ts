/**
 * ModelSpec: the architecture of a network, independent of whether it runs as an ANN or
 * as an SNN. Layouts are NHWC (tfjs); shapes are `[height, width, channels]` or
 * `[features]` (see `shapes.ts`). Parsing a ModelSpec also checks that the shapes fit
 * together, so a parsed spec is always buildable.
 */
import { z } from 'zod';
import {
  FiniteNumber,
  HalfOpenUnitInterval,
  IntOrPair,
  NonEmptyString,
  NonNegativeInt,
  PositiveInt,
  PositiveNumber,
  UnitInterval,
} from './common.js';
import { checkShapes } from './shapes.js';

const LayerName = NonEmptyString;

/** Explicit padding in pixels (ONNX `pads`). */
export const ExplicitPadding = z.strictObject({
  top: NonNegativeInt,
  bottom: NonNegativeInt,
  left: NonNegativeInt,
  right: NonNegativeInt,
});
export type ExplicitPadding = z.infer<typeof ExplicitPadding>;

export const ConvPadding = z.union([z.enum(['same', 'valid']), ExplicitPadding], {
  error: 'expected "same", "valid" or { top, bottom, left, right }',
});
export type ConvPadding = z.infer<typeof ConvPadding>;

export const PoolPadding = z.enum(['valid', 'same']);
export type PoolPadding = z.infer<typeof PoolPadding>;

export const Conv2dLayer = z.strictObject({
  kind: z.literal('conv2d'),
  name: LayerName.optional(),
  filters: PositiveInt,
  kernelSize: IntOrPair,
  strides: IntOrPair.default(1),
  // 'same' pads like tfjs/ONNX SAME_UPPER: out = ceil(in / stride). SPEC §4e: conv3×3, padding 1.
  padding: ConvPadding.default('same'),
  dilations: IntOrPair.default(1),
  groups: PositiveInt.default(1),
  // SPEC §4d: the DIET/ICLR ANNs are bias-free.
  useBias: z.boolean().default(false),
});
export type Conv2dLayer = z.infer<typeof Conv2dLayer>;

export const LinearLayer = z.strictObject({
  kind: z.literal('linear'),
  name: LayerName.optional(),
  units: PositiveInt,
  // SPEC §4d: bias-free.
  useBias: z.boolean().default(false),
});
export type LinearLayer = z.infer<typeof LinearLayer>;

const poolFields = {
  name: LayerName.optional(),
  // SPEC §4e: AvgPool2d(2).
  poolSize: IntOrPair.default(2),
  /** Defaults to `poolSize` (PyTorch/tfjs convention) when absent. */
  strides: IntOrPair.optional(),
  padding: PoolPadding.default('valid'),
  /** With 'valid' padding, round the output size up (PyTorch `ceil_mode`). Ignored for 'same'. */
  ceilMode: z.boolean().default(false),
};

export const AvgPoolLayer = z.strictObject({
  kind: z.literal('avgPool'),
  ...poolFields,
  /** With 'same' padding, whether padded zeros count in the average (PyTorch `count_include_pad`; tfjs: false). */
  countIncludePad: z.boolean().default(false),
});
export type AvgPoolLayer = z.infer<typeof AvgPoolLayer>;

export const MaxPoolLayer = z.strictObject({ kind: z.literal('maxPool'), ...poolFields });
export type MaxPoolLayer = z.infer<typeof MaxPoolLayer>;

export const GlobalAvgPoolLayer = z.strictObject({ kind: z.literal('globalAvgPool'), name: LayerName.optional() });
export type GlobalAvgPoolLayer = z.infer<typeof GlobalAvgPoolLayer>;

export const FlattenLayer = z.strictObject({ kind: z.literal('flatten'), name: LayerName.optional() });
export type FlattenLayer = z.infer<typeof FlattenLayer>;

export const BatchNormLayer = z.strictObject({
  kind: z.literal('batchNorm'),
  name: LayerName.optional(),
  // PyTorch BatchNorm2d defaults. Momentum uses PyTorch's convention:
  // running = (1 − momentum)·running + momentum·batch (tfjs/Keras 0.99 is the complement).
  epsilon: PositiveNumber.default(1e-5),
  momentum: UnitInterval.default(0.1),
});
export type BatchNormLayer = z.infer<typeof BatchNormLayer>;

export const DropoutLayer = z.strictObject({
  kind: z.literal('dropout'),
  name: LayerName.optional(),
  /** Fraction of units dropped. SPEC §4a: in an SNN one mask per forward pass, reused at every timestep. */
  rate: HalfOpenUnitInterval,
});
export type DropoutLayer = z.infer<typeof DropoutLayer>;

export const ACTIVATION_FNS = ['relu', 'relu6', 'sigmoid', 'silu', 'leakyRelu', 'tanh', 'identity'] as const;
export const ActivationFn = z.enum(ACTIVATION_FNS);
export type ActivationFn = z.infer<typeof ActivationFn>;

/** PyTorch `LeakyReLU` default negative slope (tfjs uses 0.2; give `alpha` explicitly to match it). */
export const DEFAULT_LEAKY_RELU_ALPHA = 0.01;

/** In an SNN, activation positions become spiking neurons (or FS neurons after FS conversion). */
export const ActivationLayer = z
  .strictObject({
    kind: z.literal('activation'),
    name: LayerName.optional(),
    fn: ActivationFn,
    /** Negative slope of leakyRelu; filled with DEFAULT_LEAKY_RELU_ALPHA when fn is 'leakyRelu'. */
    alpha: FiniteNumber.optional(),
  })
  .refine((l) => l.alpha === undefined || l.fn === 'leakyRelu', {
    message: "alpha is only used by fn 'leakyRelu'",
    path: ['alpha'],
  })
  .transform((l) => (l.fn === 'leakyRelu' && l.alpha === undefined ? { ...l, alpha: DEFAULT_LEAKY_RELU_ALPHA } : l));
export type ActivationLayer = z.infer<typeof ActivationLayer>;

/** output = body(x) + shortcut(x); an empty shortcut is the identity. */
export interface ResidualLayer {
  kind: 'residual';
  name?: string | undefined;
  body: Layer[];
  shortcut: Layer[];
}
export interface ResidualLayerInput {
  kind: 'residual';
  name?: string | undefined;
  body: LayerInput[];
  shortcut?: LayerInput[] | undefined;
}

export type Layer =
  | Conv2dLayer
  | LinearLayer
  | AvgPoolLayer
  | MaxPoolLayer
  | GlobalAvgPoolLayer
  | FlattenLayer
  | BatchNormLayer
  | DropoutLayer
  | ActivationLayer
  | ResidualLayer;

export type LayerInput =
  | z.input<typeof Conv2dLayer>
  | z.input<typeof LinearLayer>
  | z.input<typeof AvgPoolLayer>
  | z.input<typeof MaxPoolLayer>
  | z.input<typeof GlobalAvgPoolLayer>
  | z.input<typeof FlattenLayer>
  | z.input<typeof BatchNormLayer>
  | z.input<typeof DropoutLayer>
  | z.input<typeof ActivationLayer>
  | ResidualLayerInput;

export type LayerKind = Layer['kind'];
export const LAYER_KINDS = [
  'conv2d',
  'linear',
  'avgPool',
  'maxPool',
  'globalAvgPool',
  'flatten',
  'batchNorm',
  'dropout',
  'activation',
  'residual',
] as const satisfies readonly LayerKind[];

export const ResidualLayer: z.ZodLazy<z.ZodType<ResidualLayer, ResidualLayerInput>> = z.lazy(() =>
  z.strictObject({
    kind: z.literal('residual'),
    name: LayerName.optional(),
    body: z.array(Layer).min(1, { error: 'a residual block needs at least one body layer' }),
    // Empty = identity shortcut (SPEC §4e: identity, or a 1×1 conv with stride).
    shortcut: z.array(Layer).default([]),
  }),
);

/** One layer, discriminated on `kind`. Recursive through `residual`. */
export const Layer: z.ZodType<Layer, LayerInput> = z.discriminatedUnion('kind', [
  Conv2dLayer,
  LinearLayer,
  AvgPoolLayer,
  MaxPoolLayer,
  GlobalAvgPoolLayer,
  FlattenLayer,
  BatchNormLayer,
  DropoutLayer,
  ActivationLayer,
  // zod reads the lazy's `kind` when the union first parses, after `Layer` exists; its
  // static type is not discriminable, hence the cast (the annotation on `Layer` restores the types).
  ResidualLayer as unknown as z.core.$ZodTypeDiscriminable,
]) as unknown as z.ZodType<Layer, LayerInput>;

/** Input image size; the tensor layout is NHWC. */
export const InputShape = z.strictObject({
  channels: PositiveInt,
  height: PositiveInt,
  width: PositiveInt,
});
export type InputShape = z.infer<typeof InputShape>;

/**
 * A whole network. Parsing also runs the shape check of `inferShapes`: a layer that cannot
 * take its input, or a final output other than `[classes]`, is a validation error at that
 * layer's path.
 */
export const ModelSpec = z
  .strictObject({
    name: NonEmptyString.optional(),
    input: InputShape,
    classes: PositiveInt,
    layers: z.array(Layer),
  })
  .superRefine(
    (spec, ctx) => {
      const result = checkShapes(spec);
      if (!result.ok) ctx.addIssue({ code: 'custom', path: result.path, message: result.message });
    },
    // Shapes are only meaningful once every field is valid (a filters of −2 must not
    // also be reported as a shape mismatch).
    { when: (payload) => payload.issues.length === 0 },
  );
export type ModelSpec = z.infer<typeof ModelSpec>;
export type ModelSpecInput = z.input<typeof ModelSpec>;

/**
 * ModelSpec: the architecture of a network, independent of whether it runs as an ANN or
 * as an SNN. Layouts are NHWC (tfjs); per-image shapes are `[height, width, channels]` for
 * images, `[features]` when flat, or any other per-image shape (see `shapes.ts`).
 *
 * A spec is a list of layers run in order. By default each layer takes the previous layer's
 * output (a chain, as in every preset); a layer with `inputs` takes the outputs of the named
 * earlier layers (or `'input'`, the image) instead, which makes the spec a directed acyclic
 * graph: residual adds, concatenations, squeeze-and-excitation gates, channel shuffles. The
 * last layer's output is the network's output. Parsing a ModelSpec also checks that the
 * shapes fit together, so a parsed spec is always buildable.
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

const LayerName = NonEmptyString.refine((n) => n !== INPUT_REF, { error: `'input' names the network input; choose another layer name` });

/** The name under which `inputs` refer to the network's input image. */
export const INPUT_REF = 'input';

/** Names of earlier layers (or 'input') whose outputs this layer takes; absent = the previous layer. */
const Inputs = z.array(NonEmptyString).optional();

const base = { name: LayerName.optional(), inputs: Inputs };

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

export const PoolPadding = z.union([z.enum(['valid', 'same']), ExplicitPadding], {
  error: 'expected "valid", "same" or { top, bottom, left, right }',
});
export type PoolPadding = z.infer<typeof PoolPadding>;

export const Conv2dLayer = z.strictObject({
  kind: z.literal('conv2d'),
  ...base,
  filters: PositiveInt,
  kernelSize: IntOrPair,
  strides: IntOrPair.default(1),
  // 'same' pads like tfjs/ONNX SAME_UPPER: out = ceil(in / stride). SPEC §4e: conv3×3, padding 1.
  padding: ConvPadding.default('same'),
  dilations: IntOrPair.default(1),
  /** Grouped convolution: input and output channels split into `groups` (depthwise: groups = input channels). */
  groups: PositiveInt.default(1),
  // SPEC §4d: the DIET/ICLR ANNs are bias-free.
  useBias: z.boolean().default(false),
});
export type Conv2dLayer = z.infer<typeof Conv2dLayer>;

/** A fully connected layer on the last axis (any input rank; flat `[features]` in classifiers). */
export const LinearLayer = z.strictObject({
  kind: z.literal('linear'),
  ...base,
  units: PositiveInt,
  // SPEC §4d: bias-free.
  useBias: z.boolean().default(false),
});
export type LinearLayer = z.infer<typeof LinearLayer>;

const poolFields = {
  ...base,
  // SPEC §4e: AvgPool2d(2).
  poolSize: IntOrPair.default(2),
  /** Defaults to `poolSize` (PyTorch/tfjs convention) when absent. */
  strides: IntOrPair.optional(),
  padding: PoolPadding.default('valid'),
  /** Round the output size up (PyTorch/ONNX `ceil_mode`; a window may not start in the end padding). Ignored for 'same'. */
  ceilMode: z.boolean().default(false),
};

export const AvgPoolLayer = z.strictObject({
  kind: z.literal('avgPool'),
  ...poolFields,
  /** Whether padded zeros count in the average (PyTorch/ONNX `count_include_pad`; tfjs 'same': false). */
  countIncludePad: z.boolean().default(false),
});
export type AvgPoolLayer = z.infer<typeof AvgPoolLayer>;

export const MaxPoolLayer = z.strictObject({
  kind: z.literal('maxPool'),
  ...poolFields,
  /** Absent = 1 (no dilation). */
  dilations: IntOrPair.optional(),
});
export type MaxPoolLayer = z.infer<typeof MaxPoolLayer>;

/** The sum over each window (NIR SumPool2d): an average pool times the window size, padded zeros included. */
export const SumPoolLayer = z.strictObject({ kind: z.literal('sumPool'), ...poolFields });
export type SumPoolLayer = z.infer<typeof SumPoolLayer>;

/** Mean over height and width: `[h, w, c]` → `[c]`, or `[1, 1, c]` with keepDims (ONNX GlobalAveragePool). */
export const GlobalAvgPoolLayer = z.strictObject({ kind: z.literal('globalAvgPool'), ...base, keepDims: z.boolean().optional() });
export type GlobalAvgPoolLayer = z.infer<typeof GlobalAvgPoolLayer>;

export const GlobalMaxPoolLayer = z.strictObject({ kind: z.literal('globalMaxPool'), ...base, keepDims: z.boolean().optional() });
export type GlobalMaxPoolLayer = z.infer<typeof GlobalMaxPoolLayer>;

/**
 * All per-image axes into one. 'hwc' flattens the NHWC layout as it is; 'chw' in PyTorch/ONNX
 * order (channels first), which keeps an imported classifier's weights as they are. Absent = 'hwc'.
 */
export const FlattenLayer = z.strictObject({ kind: z.literal('flatten'), ...base, order: z.enum(['hwc', 'chw']).optional() });
export type FlattenLayer = z.infer<typeof FlattenLayer>;

export const BatchNormLayer = z.strictObject({
  kind: z.literal('batchNorm'),
  ...base,
  // PyTorch BatchNorm2d defaults. Momentum uses PyTorch's convention:
  // running = (1 − momentum)·running + momentum·batch (tfjs/Keras 0.99 is the complement).
  epsilon: PositiveNumber.default(1e-5),
  momentum: UnitInterval.default(0.1),
});
export type BatchNormLayer = z.infer<typeof BatchNormLayer>;

export const DropoutLayer = z.strictObject({
  kind: z.literal('dropout'),
  ...base,
  /** Fraction of units dropped. SPEC §4a: in an SNN one mask per forward pass, reused at every timestep. */
  rate: HalfOpenUnitInterval,
});
export type DropoutLayer = z.infer<typeof DropoutLayer>;

export const ACTIVATION_FNS = [
  'relu', 'relu6', 'clip', 'sigmoid', 'hardSigmoid', 'silu', 'hardSwish', 'leakyRelu', 'prelu', 'elu', 'gelu', 'tanh', 'identity',
] as const;
export const ActivationFn = z.enum(ACTIVATION_FNS);
export type ActivationFn = z.infer<typeof ActivationFn>;

/** PyTorch `LeakyReLU` default negative slope (tfjs uses 0.2; give `alpha` explicitly to match it). */
export const DEFAULT_LEAKY_RELU_ALPHA = 0.01;

/** Each activation's parameters and their defaults (ONNX/PyTorch); a field not listed for a function is an error. */
const ACTIVATION_FIELDS: { readonly [F in ActivationFn]?: Readonly<Record<string, number | string | undefined>> } = {
  leakyRelu: { alpha: DEFAULT_LEAKY_RELU_ALPHA },
  elu: { alpha: 1 },
  // ONNX HardSigmoid: max(0, min(1, alpha·x + beta)); PyTorch's hardsigmoid is alpha 1/6, beta 0.5.
  hardSigmoid: { alpha: 0.2, beta: 0.5 },
  clip: { min: undefined, max: undefined },
  gelu: { approximate: 'none' },
  prelu: { slopeShape: undefined },
};

/** In an SNN, activation positions become spiking neurons (or FS neurons after FS conversion). */
export const ActivationLayer = z
  .strictObject({
    kind: z.literal('activation'),
    ...base,
    fn: ActivationFn,
    /** leakyRelu: negative slope; elu: α; hardSigmoid: slope α. */
    alpha: FiniteNumber.optional(),
    /** hardSigmoid: offset β. */
    beta: FiniteNumber.optional(),
    /** clip: bounds (absent = unbounded on that side). */
    min: FiniteNumber.optional(),
    max: FiniteNumber.optional(),
    /** gelu: exact (erf) or the tanh approximation. */
    approximate: z.enum(['none', 'tanh']).optional(),
    /** prelu: shape of the learned slope parameter, broadcast against the input (e.g. `[1, 1, C]` per channel, `[1]`). */
    slopeShape: z.array(PositiveInt).min(1).optional(),
  })
  .superRefine((l, ctx) => {
    const allowed = ACTIVATION_FIELDS[l.fn] ?? {};
    for (const key of ['alpha', 'beta', 'min', 'max', 'approximate', 'slopeShape'] as const) {
      if (l[key] !== undefined && !(key in allowed)) ctx.addIssue({ code: 'custom', path: [key], message: `${key} is not a parameter of fn '${l.fn}'` });
    }
    if (l.fn === 'prelu' && l.slopeShape === undefined) ctx.addIssue({ code: 'custom', path: ['slopeShape'], message: "fn 'prelu' needs slopeShape (the shape of its slope parameter)" });
    if (l.fn === 'clip' && l.min !== undefined && l.max !== undefined && l.min > l.max) {
      ctx.addIssue({ code: 'custom', path: ['max'], message: `clip max ${l.max} is below min ${l.min}` });
    }
  })
  .transform((l) => {
    const defaults = ACTIVATION_FIELDS[l.fn];
    if (defaults === undefined) return l;
    const filled: Record<string, unknown> = { ...l };
    for (const [k, v] of Object.entries(defaults)) if (filled[k] === undefined && v !== undefined) filled[k] = v;
    return filled as typeof l;
  });
export type ActivationLayer = z.infer<typeof ActivationLayer>;

/**
 * y = x·scale + bias with learned or imported per-element factors of a shape that broadcasts to
 * the input (e.g. `[1, 1, C]` per channel, `[1]` for one number): a BatchNorm in inference,
 * a constant multiply or add that an exporter left, a per-channel rescale of spikes.
 */
export const AffineLayer = z
  .strictObject({
    kind: z.literal('affine'),
    ...base,
    shape: z.array(PositiveInt).min(1),
    scale: z.boolean().default(true),
    bias: z.boolean().default(false),
  })
  .refine((l) => l.scale || l.bias, { error: 'an affine layer needs scale, bias or both', path: ['scale'] });
export type AffineLayer = z.infer<typeof AffineLayer>;

/** Element-wise arithmetic of two inputs with NumPy broadcasting of their per-image shapes. */
export const ELEMENTWISE_OPS = ['add', 'sub', 'mul', 'div'] as const;
export type ElementwiseOp = (typeof ELEMENTWISE_OPS)[number];
const elementwise = <K extends ElementwiseOp>(kind: K) => z.strictObject({ kind: z.literal(kind), ...base });
export const AddLayer = elementwise('add');
export const SubLayer = elementwise('sub');
export const MulLayer = elementwise('mul');
export const DivLayer = elementwise('div');
export type ElementwiseLayer = z.infer<typeof AddLayer> | z.infer<typeof SubLayer> | z.infer<typeof MulLayer> | z.infer<typeof DivLayer>;

/** Matrix product of two inputs (batched over the leading axes, NumPy `matmul` broadcasting). */
export const MatMulLayer = z.strictObject({ kind: z.literal('matmul'), ...base });
export type MatMulLayer = z.infer<typeof MatMulLayer>;

/** A learned or imported constant tensor of a per-image shape (its value is the parameter `value`); takes no input. */
export const ConstantLayer = z.strictObject({
  kind: z.literal('constant'),
  name: LayerName.optional(),
  inputs: z.array(NonEmptyString).max(0, { error: 'a constant takes no inputs' }).optional(),
  shape: z.array(NonNegativeInt),
  /** Trained with the weights (false: a fixed value, like a shape-broadcast scale). */
  trainable: z.boolean().default(false),
});
export type ConstantLayer = z.infer<typeof ConstantLayer>;

/** Concatenation along a per-image axis (negative counts from the end: −1 is the channels of an image). */
export const ConcatLayer = z.strictObject({ kind: z.literal('concat'), ...base, axis: z.int().default(-1) });
export type ConcatLayer = z.infer<typeof ConcatLayer>;

/** A permutation of the per-image axes. */
export const TransposeLayer = z.strictObject({ kind: z.literal('transpose'), ...base, perm: z.array(NonNegativeInt).min(1) });
export type TransposeLayer = z.infer<typeof TransposeLayer>;

/** A new per-image shape with the same number of elements, in row-major order; one −1 is inferred. */
export const ReshapeLayer = z.strictObject({ kind: z.literal('reshape'), ...base, shape: z.array(z.int().min(-1)).min(1) });
export type ReshapeLayer = z.infer<typeof ReshapeLayer>;

/** Elements `start, start + step, …` before `end` along one per-image axis (Python slice rules, negative steps included). */
export const SliceLayer = z.strictObject({
  kind: z.literal('slice'),
  ...base,
  axis: z.int(),
  start: z.int(),
  end: z.int(),
  step: z.int().refine((s) => s !== 0, { error: 'step must not be 0' }).default(1),
});
export type SliceLayer = z.infer<typeof SliceLayer>;

/** Padding of every per-image axis: `pads[i] = [before, after]`. */
export const PadLayer = z.strictObject({
  kind: z.literal('pad'),
  ...base,
  pads: z.array(z.tuple([NonNegativeInt, NonNegativeInt])).min(1),
  mode: z.enum(['constant', 'reflect', 'edge']).default('constant'),
  value: FiniteNumber.default(0),
});
export type PadLayer = z.infer<typeof PadLayer>;

/** Softmax (or log-softmax) along a per-image axis. */
export const SoftmaxLayer = z.strictObject({ kind: z.literal('softmax'), ...base, axis: z.int().default(-1), log: z.boolean().default(false) });
export type SoftmaxLayer = z.infer<typeof SoftmaxLayer>;

/** output = body(x) + shortcut(x); an empty shortcut is the identity. Sugar for a branch and an add. */
export interface ResidualLayer {
  kind: 'residual';
  name?: string | undefined;
  inputs?: string[] | undefined;
  body: Layer[];
  shortcut: Layer[];
}
export interface ResidualLayerInput {
  kind: 'residual';
  name?: string | undefined;
  inputs?: string[] | undefined;
  body: LayerInput[];
  shortcut?: LayerInput[] | undefined;
}

export type Layer =
  | Conv2dLayer
  | LinearLayer
  | AvgPoolLayer
  | MaxPoolLayer
  | SumPoolLayer
  | GlobalAvgPoolLayer
  | GlobalMaxPoolLayer
  | FlattenLayer
  | BatchNormLayer
  | DropoutLayer
  | ActivationLayer
  | AffineLayer
  | ElementwiseLayer
  | MatMulLayer
  | ConstantLayer
  | ConcatLayer
  | TransposeLayer
  | ReshapeLayer
  | SliceLayer
  | PadLayer
  | SoftmaxLayer
  | ResidualLayer;

export type LayerInput =
  | z.input<typeof Conv2dLayer>
  | z.input<typeof LinearLayer>
  | z.input<typeof AvgPoolLayer>
  | z.input<typeof MaxPoolLayer>
  | z.input<typeof SumPoolLayer>
  | z.input<typeof GlobalAvgPoolLayer>
  | z.input<typeof GlobalMaxPoolLayer>
  | z.input<typeof FlattenLayer>
  | z.input<typeof BatchNormLayer>
  | z.input<typeof DropoutLayer>
  | z.input<typeof ActivationLayer>
  | z.input<typeof AffineLayer>
  | z.input<typeof AddLayer>
  | z.input<typeof SubLayer>
  | z.input<typeof MulLayer>
  | z.input<typeof DivLayer>
  | z.input<typeof MatMulLayer>
  | z.input<typeof ConstantLayer>
  | z.input<typeof ConcatLayer>
  | z.input<typeof TransposeLayer>
  | z.input<typeof ReshapeLayer>
  | z.input<typeof SliceLayer>
  | z.input<typeof PadLayer>
  | z.input<typeof SoftmaxLayer>
  | ResidualLayerInput;

export type LayerKind = Layer['kind'];
export const LAYER_KINDS = [
  'conv2d', 'linear', 'avgPool', 'maxPool', 'sumPool', 'globalAvgPool', 'globalMaxPool', 'flatten', 'batchNorm', 'dropout',
  'activation', 'affine', 'add', 'sub', 'mul', 'div', 'matmul', 'constant', 'concat', 'transpose', 'reshape', 'slice', 'pad', 'softmax',
  'residual',
] as const satisfies readonly LayerKind[];

export const ResidualLayer: z.ZodLazy<z.ZodType<ResidualLayer, ResidualLayerInput>> = z.lazy(() =>
  z.strictObject({
    kind: z.literal('residual'),
    ...base,
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
  SumPoolLayer,
  GlobalAvgPoolLayer,
  GlobalMaxPoolLayer,
  FlattenLayer,
  BatchNormLayer,
  DropoutLayer,
  ActivationLayer,
  AffineLayer,
  AddLayer,
  SubLayer,
  MulLayer,
  DivLayer,
  MatMulLayer,
  ConstantLayer,
  ConcatLayer,
  TransposeLayer,
  ReshapeLayer,
  SliceLayer,
  PadLayer,
  SoftmaxLayer,
  // zod reads the lazy's `kind` when the union first parses, after `Layer` exists; its
  // static type is not discriminable, hence the cast (the annotation on `Layer` restores the types).
  ResidualLayer as unknown as z.core.$ZodTypeDiscriminable,
]) as unknown as z.ZodType<Layer, LayerInput>;

/** Input image size; the tensor layout is NHWC. */
export const ImageInputShape = z.strictObject({
  channels: PositiveInt,
  height: PositiveInt,
  width: PositiveInt,
});
export type ImageInputShape = z.infer<typeof ImageInputShape>;
/** Any other per-image input shape (a graph that is not an image model, e.g. ONNX's operator tests). */
export const TensorInputShape = z.strictObject({ shape: z.array(PositiveInt) });
export type TensorInputShape = z.infer<typeof TensorInputShape>;

/**
 * `{ channels, height, width }` for images, or `{ shape }`. One object schema (not a zod union)
 * so that an error names the field (`input.height`), not just `input`.
 */
export const InputShape = z
  .strictObject({
    channels: PositiveInt.optional(),
    height: PositiveInt.optional(),
    width: PositiveInt.optional(),
    shape: z.array(PositiveInt).optional(),
  })
  .superRefine((v, ctx) => {
    const image = (['channels', 'height', 'width'] as const).filter((k) => v[k] !== undefined);
    if (v.shape !== undefined) {
      if (image.length > 0) ctx.addIssue({ code: 'custom', path: [image[0]!], message: 'give either shape or channels/height/width, not both' });
      return;
    }
    for (const k of ['channels', 'height', 'width'] as const) {
      if (v[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: 'expected a positive integer, got undefined' });
    }
  })
  .transform((v): ImageInputShape | TensorInputShape => (v.shape !== undefined ? { shape: v.shape } : { channels: v.channels!, height: v.height!, width: v.width! }));
export type InputShape = z.infer<typeof InputShape>;

/** The input of an image model; throws (naming `what`) for a model whose input is not an image. */
export function imageInput(input: InputShape, what = 'the model'): ImageInputShape {
  if ('shape' in input) throw new Error(`${what} takes [${input.shape.join(', ')}] inputs, not images (channels, height, width)`);
  return input;
}

/** The per-image input shape: `[height, width, channels]` for images. */
export function inputShapeOf(input: InputShape): number[] {
  return 'shape' in input ? [...input.shape] : [input.height, input.width, input.channels];
}

/**
 * A whole network. Parsing also runs the shape check of `inferShapes`: a layer that cannot
 * take its input, an unknown or later input name, or a final output other than `[classes]`,
 * is a validation error at that layer's path. Without `classes` the network outputs whatever
 * its last layer makes (a backbone's feature map, say).
 */
export const ModelSpec = z
  .strictObject({
    name: NonEmptyString.optional(),
    input: InputShape,
    classes: PositiveInt.optional(),
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

/**
 * Image preprocessing as torchvision composes it: a list of steps applied to each decoded
 * image. Steps before `toTensor` work on 8-bit images exactly as torchvision's transforms
 * do on PIL images (torchvision 0.14 hands PIL images to Pillow's resampling, which always
 * antialiases); `toTensor` scales to [0, 1]; `normalize` comes after it. Images enter as RGB,
 * as `torchvision.datasets.ImageFolder`'s loader converts them (`Image.convert('RGB')`).
 */
import { z } from 'zod';
import { FiniteNumber, IntOrPair, NonEmptyString, PositiveInt, PositiveNumber, UnitInterval } from './common.js';
import { SpikeliteConfigError } from './errors.js';
import { parseWith } from './validate.js';

/** Pillow's resampling filters that torchvision maps `InterpolationMode` to. */
export const INTERPOLATIONS = ['bilinear', 'bicubic'] as const;
export const Interpolation = z.enum(INTERPOLATIONS);
export type Interpolation = z.infer<typeof Interpolation>;

/**
 * `transforms.Resize(size, interpolation, max_size)`: `size: n` scales the shorter side to n
 * (the longer one to floor(n · long / short)); `[height, width]` is exact.
 */
export const ResizeStep = z
  .strictObject({
    kind: z.literal('resize'),
    size: IntOrPair,
    interpolation: Interpolation.default('bilinear'),
    /** Longest side allowed after a shorter-side resize (torchvision's `max_size`). */
    maxSize: PositiveInt.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.maxSize === undefined) return;
    if (typeof s.size !== 'number') {
      ctx.addIssue({ code: 'custom', path: ['maxSize'], message: 'maxSize needs size to be one number (the shorter side)' });
    } else if (s.maxSize <= s.size) {
      ctx.addIssue({ code: 'custom', path: ['maxSize'], message: `maxSize ${s.maxSize} must be greater than size ${s.size}` });
    }
  });
export type ResizeStep = z.infer<typeof ResizeStep>;

/** `transforms.CenterCrop(size)`; an image smaller than the crop is zero-padded, as torchvision does. */
export const CenterCropStep = z.strictObject({ kind: z.literal('centerCrop'), size: IntOrPair });
export type CenterCropStep = z.infer<typeof CenterCropStep>;

const Range = z
  .tuple([PositiveNumber, PositiveNumber])
  .refine(([lo, hi]) => lo <= hi, { message: 'expected [low, high] with low <= high' });

/** `transforms.RandomResizedCrop(size, scale, ratio)`: a seeded random crop, resized to `size`. */
export const RandomResizedCropStep = z.strictObject({
  kind: z.literal('randomResizedCrop'),
  size: IntOrPair,
  /** Range of the crop's area as a fraction of the image's. */
  scale: Range.default([0.08, 1]),
  /** Range of the crop's aspect ratio (width / height), sampled log-uniformly. */
  ratio: Range.default([3 / 4, 4 / 3]),
  interpolation: Interpolation.default('bilinear'),
});
export type RandomResizedCropStep = z.infer<typeof RandomResizedCropStep>;

/** `transforms.RandomHorizontalFlip(p)`, seeded. */
export const RandomHorizontalFlipStep = z.strictObject({
  kind: z.literal('randomHorizontalFlip'),
  p: UnitInterval.default(0.5),
});
export type RandomHorizontalFlipStep = z.infer<typeof RandomHorizontalFlipStep>;

/** `transforms.Grayscale(num_output_channels)`: Pillow's `convert('L')` (ITU-R 601-2 luma), copied to 3 channels if asked. */
export const GrayscaleStep = z.strictObject({
  kind: z.literal('grayscale'),
  channels: z.union([z.literal(1), z.literal(3)], { error: 'expected 1 or 3' }).default(1),
});
export type GrayscaleStep = z.infer<typeof GrayscaleStep>;

/** Convert to 3 channels (a grey image is copied into R, G and B); RGB images pass unchanged. */
export const RgbStep = z.strictObject({ kind: z.literal('rgb') });
export type RgbStep = z.infer<typeof RgbStep>;

/** `transforms.ToTensor()`: 8-bit values / 255 as float32 in [0, 1]. */
export const ToTensorStep = z.strictObject({ kind: z.literal('toTensor') });
export type ToTensorStep = z.infer<typeof ToTensorStep>;

/** `transforms.Normalize(mean, std)` per channel (float32, as torch computes it). One value applies to every channel. */
export const NormalizeStep = z
  .strictObject({
    kind: z.literal('normalize'),
    mean: z.array(FiniteNumber).min(1),
    std: z.array(PositiveNumber).min(1),
  })
  .superRefine((s, ctx) => {
    if (s.mean.length !== s.std.length) {
      ctx.addIssue({ code: 'custom', path: ['std'], message: `expected ${s.mean.length} values (one per mean), got ${s.std.length}` });
    }
  });
export type NormalizeStep = z.infer<typeof NormalizeStep>;

export const PreprocessStep = z.discriminatedUnion('kind', [
  ResizeStep,
  CenterCropStep,
  RandomResizedCropStep,
  RandomHorizontalFlipStep,
  GrayscaleStep,
  RgbStep,
  ToTensorStep,
  NormalizeStep,
]);
export type PreprocessStep = z.infer<typeof PreprocessStep>;
export type PreprocessStepInput = z.input<typeof PreprocessStep>;
export type PreprocessStepKind = PreprocessStep['kind'];

/** Steps that work on 8-bit images and so must come before `toTensor`. */
const IMAGE_STEPS: ReadonlySet<PreprocessStepKind> = new Set([
  'resize', 'centerCrop', 'randomResizedCrop', 'randomHorizontalFlip', 'grayscale', 'rgb',
]);

/** Channels after each colour step; the loader hands over RGB. */
function channelsAfter(step: PreprocessStep, channels: number): number {
  if (step.kind === 'grayscale') return step.channels;
  if (step.kind === 'rgb') return 3;
  return channels;
}

export const Preprocess = z
  .strictObject({
    /** The preset this came from (e.g. `imagenet`), for reports; the steps are what counts. */
    name: NonEmptyString.optional(),
    steps: z.array(PreprocessStep).min(1, { error: 'expected at least one step (toTensor)' }),
  })
  .superRefine(
    (p, ctx) => {
      const tensorAt = p.steps.flatMap((s, i) => (s.kind === 'toTensor' ? [i] : []));
      if (tensorAt.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps'],
          message: `expected exactly one toTensor step, found ${tensorAt.length}`,
        });
        return;
      }
      const at = tensorAt[0]!;
      let channels = 3;
      p.steps.forEach((s, i) => {
        if (i < at && s.kind === 'normalize') {
          ctx.addIssue({ code: 'custom', path: ['steps', i, 'kind'], message: 'normalize must come after toTensor' });
        }
        if (i > at && IMAGE_STEPS.has(s.kind)) {
          ctx.addIssue({
            code: 'custom',
            path: ['steps', i, 'kind'],
            message: `${s.kind} must come before toTensor (it works on 8-bit images, as torchvision's PIL transforms do)`,
          });
        }
        channels = channelsAfter(s, channels);
        if (s.kind === 'normalize' && s.mean.length !== 1 && s.mean.length !== channels) {
          ctx.addIssue({
            code: 'custom',
            path: ['steps', i, 'mean'],
            message: `expected 1 or ${channels} values (the image has ${channels} channel${channels === 1 ? '' : 's'} here), got ${s.mean.length}`,
          });
        }
      });
    },
    { when: (payload) => payload.issues.length === 0 },
  );
export type Preprocess = z.infer<typeof Preprocess>;
export type PreprocessInput = z.input<typeof Preprocess>;

/** ImageNet's per-channel mean and std (RGB), as torchvision's model docs give them. */
export const IMAGENET_MEAN: readonly number[] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly number[] = [0.229, 0.224, 0.225];

/**
 * Named preprocessings. `imagenet`: Resize(256) → CenterCrop(224) → ToTensor → Normalize(ImageNet);
 * `tensor`: ToTensor only (RGB in [0, 1], images must share one size); `grayscale`: Grayscale(1) → ToTensor.
 */
export const PREPROCESS_PRESETS: Readonly<Record<string, Preprocess>> = {
  tensor: Preprocess.parse({ name: 'tensor', steps: [{ kind: 'toTensor' }] }),
  grayscale: Preprocess.parse({ name: 'grayscale', steps: [{ kind: 'grayscale', channels: 1 }, { kind: 'toTensor' }] }),
  imagenet: Preprocess.parse({
    name: 'imagenet',
    steps: [
      { kind: 'resize', size: 256 },
      { kind: 'centerCrop', size: 224 },
      { kind: 'toTensor' },
      { kind: 'normalize', mean: IMAGENET_MEAN, std: IMAGENET_STD },
    ],
  }),
};

/**
 * A preset name (`imagenet`) or a Preprocess object, validated: a SpikeliteConfigError names
 * the source and field (`--transform: steps.2.kind: normalize must come after toTensor`).
 */
export function resolvePreprocess(input: unknown, source = 'preprocess'): Preprocess {
  if (typeof input === 'string') {
    const preset = PREPROCESS_PRESETS[input];
    if (preset) return structuredClone(preset);
    const presets = Object.keys(PREPROCESS_PRESETS).join(', ');
    throw new SpikeliteConfigError(source, [{ path: '', message: `unknown preset '${input}' (presets: ${presets}; or give the steps as JSON)` }]);
  }
  return parseWith(Preprocess, input, source);
}

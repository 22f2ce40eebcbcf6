/**
 * One implementation per Preprocess step kind (a registry, not a switch): what it does to a
 * picture, whether it draws random numbers, and what it does to the output size.
 */
import type { Rng } from '@spikelite/engine';
import type { PreprocessStep, PreprocessStepKind } from '@spikelite/schemas';
import { toGrey, toRgb } from './color.js';
import { centerCropImage, cropImage, hflipImage, randomResizedCropBox, resizedSize, sizePair } from './geometry.js';
import { isFloat, type F32Image, type Picture, type U8Image } from './image.js';
import { resizeImage } from './resample.js';

type StepOf<K extends PreprocessStepKind> = Extract<PreprocessStep, { kind: K }>;

export interface StepImpl<K extends PreprocessStepKind> {
  /** True when the step draws from the rng (its output is not a function of the file alone). */
  readonly random: boolean;
  apply(p: Picture, step: StepOf<K>, rng: Rng | undefined): Picture;
  /** The output [height, width] given the input's, or undefined when the input's size passes through. */
  size(step: StepOf<K>, height: number, width: number): [number, number];
}

function u8(p: Picture, kind: string): U8Image {
  if (isFloat(p)) throw new Error(`${kind} needs an 8-bit image (before toTensor)`);
  return p;
}

function needRng(rng: Rng | undefined, kind: string): Rng {
  if (!rng) throw new Error(`${kind} is random and needs an rng (pass a seed)`);
  return rng;
}

const same = (_s: unknown, h: number, w: number): [number, number] => [h, w];

/** v / 255 as float32 for every byte: toTensor is a table lookup. */
const UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

export const STEPS: { readonly [K in PreprocessStepKind]: StepImpl<K> } = {
  resize: {
    random: false,
    apply(p, s) {
      const img = u8(p, 'resize');
      const [h, w] = resizedSize(img.height, img.width, s.size, s.maxSize);
      return resizeImage(img, w, h, s.interpolation);
    },
    size: (s, h, w) => resizedSize(h, w, s.size, s.maxSize),
  },
  centerCrop: {
    random: false,
    apply(p, s) {
      const [h, w] = sizePair(s.size);
      return centerCropImage(u8(p, 'centerCrop'), h, w);
    },
    size: (s) => sizePair(s.size),
  },
  randomResizedCrop: {
    random: true,
    apply(p, s, rng) {
      const img = u8(p, 'randomResizedCrop');
      const box = randomResizedCropBox(img.height, img.width, s.scale, s.ratio, needRng(rng, 'randomResizedCrop'));
      const [h, w] = sizePair(s.size);
      return resizeImage(cropImage(img, box.top, box.left, box.height, box.width), w, h, s.interpolation);
    },
    size: (s) => sizePair(s.size),
  },
  randomHorizontalFlip: {
    random: true,
    apply(p, s, rng) {
      const img = u8(p, 'randomHorizontalFlip');
      // torchvision: flip when torch.rand(1) < p.
      return needRng(rng, 'randomHorizontalFlip').next() < s.p ? hflipImage(img) : img;
    },
    size: same,
  },
  grayscale: {
    random: false,
    apply(p, s) {
      const grey = toGrey(u8(p, 'grayscale'));
      return s.channels === 3 ? toRgb(grey) : grey;
    },
    size: same,
  },
  rgb: {
    random: false,
    apply: (p) => toRgb(u8(p, 'rgb')),
    size: same,
  },
  toTensor: {
    random: false,
    apply(p) {
      const img = u8(p, 'toTensor');
      const data = new Float32Array(img.data.length);
      const d = img.data;
      for (let i = 0; i < data.length; i++) data[i] = UNIT[d[i]!]!;
      return { data, width: img.width, height: img.height, channels: img.channels } satisfies F32Image;
    },
    size: same,
  },
  normalize: {
    random: false,
    apply(p, s) {
      if (!isFloat(p)) throw new Error('normalize needs a float image (after toTensor)');
      const c = p.channels;
      // float32 arithmetic as torch: (x - mean) / std with float32 mean, std and intermediate.
      const mean = Float32Array.from({ length: c }, (_, k) => s.mean[s.mean.length === 1 ? 0 : k]!);
      const std = Float32Array.from({ length: c }, (_, k) => s.std[s.std.length === 1 ? 0 : k]!);
      const out = new Float32Array(p.data.length);
      const d = p.data;
      for (let k = 0; k < c; k++) {
        const m = mean[k]!;
        const sd = std[k]!;
        for (let i = k; i < out.length; i += c) out[i] = Math.fround(d[i]! - m) / sd;
      }
      return { ...p, data: out };
    },
    size: same,
  },
};

/** Runs one step through the registry. */
export function applyStep(p: Picture, step: PreprocessStep, rng: Rng | undefined): Picture {
  return (STEPS[step.kind] as StepImpl<typeof step.kind>).apply(p, step as never, rng);
}

export function stepSize(step: PreprocessStep, height: number, width: number): [number, number] {
  return (STEPS[step.kind] as StepImpl<typeof step.kind>).size(step as never, height, width);
}

/**
 * toTensor then normalize as one table lookup per channel: byte v of channel k becomes
 * table[k][v], the float32 value the two steps compute for it, so results are unchanged.
 */
export function fusedToTensorNormalize(step: StepOf<'normalize'>, channels: number): (img: U8Image) => F32Image {
  const table = new Float32Array(channels * 256);
  for (let k = 0; k < channels; k++) {
    const at = step.mean.length === 1 ? 0 : k;
    const one = { ...step, mean: [step.mean[at]!], std: [step.std[at]!] };
    const unit: F32Image = { data: UNIT, width: 256, height: 1, channels: 1 };
    table.set((STEPS.normalize.apply(unit, one, undefined) as F32Image).data, k * 256);
  }
  return (img) => {
    const out = new Float32Array(img.data.length);
    const c = img.channels;
    const d = img.data;
    for (let k = 0; k < c; k++) {
      const base = k * 256;
      for (let i = k; i < out.length; i += c) out[i] = table[base + d[i]!]!;
    }
    return { data: out, width: img.width, height: img.height, channels: c };
  };
}

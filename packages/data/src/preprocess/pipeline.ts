/**
 * A validated Preprocess turned into something that runs: `run(image, rng)` gives the
 * float32 HWC tensor the model consumes. The steps before the first random one form a
 * deterministic prefix whose result depends on the file alone, which is what a cache can
 * keep (see folder/cache.ts).
 */
import type { Rng } from '@spikelite/engine';
import { resolvePreprocess, type Preprocess, type PreprocessInput } from '@spikelite/schemas';
import { isFloat, type F32Image, type Picture, type U8Image } from './image.js';
import { applyStep, fusedToTensorNormalize, stepSize, STEPS } from './steps.js';

export interface CompiledPreprocess {
  readonly spec: Preprocess;
  /** True when a step draws random numbers (training augmentation). */
  readonly random: boolean;
  /** Number of leading steps that draw no random numbers. */
  readonly prefixLength: number;
  /** Channels of the output. */
  readonly channels: number;
  /** The output [height, width] for an input of the given size. */
  outputSize(height: number, width: number): [number, number];
  /** The output [height, width] when it is the same for every input size, else undefined. */
  readonly fixedSize: [number, number] | undefined;
  /** Steps [from, to) on a picture. */
  runSteps(p: Picture, from: number, to: number, rng?: Rng): Picture;
  /** All steps: the float32 HWC tensor. */
  run(img: U8Image, rng?: Rng): F32Image;
}

/** Compiles a Preprocess (or a preset name such as `imagenet`); throws a config error naming the field. */
export function compilePreprocess(input: PreprocessInput | string): CompiledPreprocess {
  const spec = resolvePreprocess(input);
  const { steps } = spec;
  const firstRandom = steps.findIndex((s) => STEPS[s.kind].random);
  const prefixLength = firstRandom < 0 ? steps.length : firstRandom;
  let channels = 3;
  for (const s of steps) {
    if (s.kind === 'grayscale') channels = s.channels;
    if (s.kind === 'rgb') channels = 3;
  }
  const outputSize = (height: number, width: number): [number, number] => {
    let hw: [number, number] = [height, width];
    for (const s of steps) hw = stepSize(s, hw[0], hw[1]);
    return hw;
  };
  // Crops and exact resizes set a constant size; from there on every size is known.
  let fixedSize: [number, number] | undefined;
  for (const s of steps) {
    const constant = s.kind === 'centerCrop' || s.kind === 'randomResizedCrop' || (s.kind === 'resize' && typeof s.size !== 'number');
    if (constant) fixedSize = stepSize(s, 0, 0);
    else if (fixedSize) fixedSize = stepSize(s, fixedSize[0], fixedSize[1]);
  }
  // toTensor directly followed by normalize runs as one table lookup (same values, ~5x faster).
  const tensorAt = steps.findIndex((s) => s.kind === 'toTensor');
  const next = steps[tensorAt + 1];
  const fused = next?.kind === 'normalize' ? fusedToTensorNormalize(next, channels) : undefined;
  const runSteps = (p: Picture, from: number, to: number, rng?: Rng): Picture => {
    let x = p;
    for (let i = from; i < to; i++) {
      if (fused && i === tensorAt && i + 1 < to && !isFloat(x)) {
        x = fused(x);
        i++;
      } else x = applyStep(x, steps[i]!, rng);
    }
    return x;
  };
  return {
    spec,
    random: prefixLength < steps.length,
    prefixLength,
    channels,
    outputSize,
    fixedSize,
    runSteps,
    run(img, rng) {
      const out = runSteps(img, 0, steps.length, rng);
      if (!isFloat(out)) throw new Error('preprocessing ended without toTensor');
      return out;
    },
  };
}

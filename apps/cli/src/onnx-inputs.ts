/**
 * The images of a parity check (`import`, `export`): dataset test images when the model's input fits the
 * dataset, else seeded random inputs with the reason recorded.
 */
import type { ImageSet } from '@spikelite/data';
import { createRng } from '@spikelite/engine';
import { nhwcToNchw } from '@spikelite/onnx';
import type { DataRef } from '@spikelite/pipelines';
import { CliError } from './errors.js';
import { openDataset, type Log } from './setup.js';

/** Where the parity inputs came from (`inputs` in the --json output of import and export). */
export type ParityInputs =
  | { kind: 'dataset'; name: string; images: number }
  | { kind: 'random'; seed: number; images: number; reason: string };

export interface ParityInputOptions {
  /** The data flags' reference; undefined when no --data was given (fashion-mnist, optional: see defaultOptional). */
  data: DataRef | undefined;
  /** The model's input per image: [C, H, W], or [C·H·W] for a flat-input model. */
  dims: readonly number[];
  /** Images wanted. */
  count: number;
  /** Seed of the random inputs. */
  seed: number;
  /**
   * Exactly `count` images (a model with a fixed batch): a test set with fewer means random
   * inputs. Otherwise a smaller test set is used whole.
   */
  exactCount: boolean;
  /** Without --data, a missing default dataset means random inputs instead of the error. */
  defaultOptional: boolean;
  /** The reason recorded when the shapes differ; default "the model takes [C, H, W] inputs, NAME has CxHxW images". */
  misfit?: (set: ImageSet, name: string) => string;
}

/** Seeded uniform [0, 1) inputs: raw-pixel-like values for any input shape. */
function randomInputs(size: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: size }, () => rng.next());
}

/** The parity images (NCHW, flattened) and where they came from; `inputs.images` is their count. */
export async function parityInputs(o: ParityInputOptions, log: Log): Promise<{ inputs: ParityInputs; data: Float32Array }> {
  const ref: DataRef = o.data ?? { name: 'fashion-mnist' };
  const perImage = o.dims.reduce((a, b) => a * b, 1);
  const random = (reason: string): { inputs: ParityInputs; data: Float32Array } => ({
    inputs: { kind: 'random', seed: o.seed, images: o.count, reason },
    data: randomInputs(o.count * perImage, o.seed),
  });
  // The data as the user named it (--data).
  const name = ref.name;
  let set: ImageSet;
  try {
    set = (await openDataset({ ...ref, limitTrain: 1, limitTest: o.count }, log)).test;
  } catch (e) {
    // An explicit --data must work; the default dataset missing only means random inputs.
    if (!o.defaultOptional || o.data !== undefined || !(e instanceof CliError)) throw e;
    return random(`the default dataset is not available (${e.message})`);
  }
  const { channels: C, height: H, width: W } = set;
  const d = o.dims;
  const fits = d.length === 3 ? d[0] === C && d[1] === H && d[2] === W : d.length === 1 && d[0] === C * H * W;
  if (!fits) return random(o.misfit?.(set, name) ?? `the model takes [${d.join(', ')}] inputs, ${name} has ${C}x${H}x${W} images`);
  if (o.exactCount && set.count < o.count) return random(`${name} has only ${set.count} test images, the check needs ${o.count}`);
  const n = Math.min(o.count, set.count);
  // NCHW flattened per image is also the (c, h, w) order a [N, C·H·W] PyTorch model reads.
  return { inputs: { kind: 'dataset', name, images: n }, data: nhwcToNchw(set, 0, n) };
}

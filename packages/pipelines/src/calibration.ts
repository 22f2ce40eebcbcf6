/** Calibration images: one seeded shuffle of the training set, the same for every method of a run. */
import * as tf from '@tensorflow/tfjs-core';
import { epochOrder, subset, takeFirst, type ImageSet } from '@spikelite/data';
import { createRng } from '@spikelite/engine';

/**
 * `count` training images (at most all of them) in the order of one shuffle seeded with
 * `seed + 1` (SPEC §4d: one shuffled batch of 512 training images). The same images for
 * threshold calibration, DIET balancing and the hybrid output threshold of a run.
 */
export function calibrationSet(train: ImageSet, count: number, seed: number): ImageSet {
  const order = epochOrder(train.count, createRng(seed + 1));
  return takeFirst(subset(train, Array.from(order)), Math.min(count, train.count));
}

/** Images `from` … `from + count − 1` of `set` as one NHWC tensor (the caller disposes it). */
export function imageTensor(set: ImageSet, from = 0, count = set.count - from): tf.Tensor4D {
  const size = set.height * set.width * set.channels;
  return tf.tensor4d(set.images.subarray(from * size, (from + count) * size), [count, set.height, set.width, set.channels]);
}

/** `calibrationSet` as one NHWC tensor (the caller disposes it). */
export function calibrationImages(train: ImageSet, count: number, seed: number): tf.Tensor4D {
  return imageTensor(calibrationSet(train, count, seed));
}

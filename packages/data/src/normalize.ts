/**
 * Per-channel normalisation x' = (x - mean[c]) / std[c] on [0, 1] images. Defaults:
 * Fashion-MNIST and MNIST are used raw in [0, 1] (no normalisation); CIFAR uses the
 * means/stds of the DIET-SNN code (SPEC §4b), exported below. Stats are plain arrays so
 * a checkpoint can store them.
 */
import { DataError } from './errors.js';
import type { Dataset, ImageSet } from './types.js';

export interface ChannelStats {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** CIFAR-10 per-channel (R, G, B) mean and std used by DIET-SNN (SPEC §4b). */
export const CIFAR10_STATS: ChannelStats = { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] };
/** CIFAR-100 per-channel (R, G, B) mean and std used by DIET-SNN (SPEC §4b). */
export const CIFAR100_STATS: ChannelStats = { mean: [0.5071, 0.4867, 0.4408], std: [0.2675, 0.2565, 0.2761] };

/** mean 0.5, std 0.5: maps [0, 1] to [-1, 1], the input range of the ICLR 2020 Poisson encoder (SPEC §4b). */
export function signedUnitStats(channels: number): ChannelStats {
  return { mean: new Array<number>(channels).fill(0.5), std: new Array<number>(channels).fill(0.5) };
}

/**
 * The documented default for a dataset: CIFAR's constants, or null (use raw [0, 1])
 * for Fashion-MNIST, MNIST and anything unknown.
 */
export function defaultStats(name: string): ChannelStats | null {
  const key = name.toLowerCase().replace(/[-_]/g, '');
  if (key === 'cifar10') return CIFAR10_STATS;
  if (key === 'cifar100') return CIFAR100_STATS;
  return null;
}

/** Mean and (population) standard deviation of each channel over all images and pixels. */
export function channelStats(set: ImageSet): ChannelStats {
  const c = set.channels;
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  const x = set.images;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const ch = i % c;
    sum[ch]! += v;
    sumSq[ch]! += v * v;
  }
  const n = x.length / c;
  if (n === 0) throw new DataError('cannot compute channel statistics of an empty image set');
  const mean = Array.from(sum, (s) => s / n);
  const std = Array.from(sumSq, (s, ch) => Math.sqrt(Math.max(0, s / n - mean[ch]! ** 2)));
  return { mean, std };
}

function checkStats(stats: ChannelStats, channels: number): void {
  if (stats.mean.length !== channels || stats.std.length !== channels) {
    throw new DataError(
      `normalisation stats have ${stats.mean.length} means and ${stats.std.length} stds, the images have ${channels} channels`,
    );
  }
  stats.std.forEach((s, ch) => {
    if (!(Number.isFinite(s) && s > 0)) throw new DataError(`normalisation std[${ch}] must be positive, got ${s}`);
  });
  stats.mean.forEach((m, ch) => {
    if (!Number.isFinite(m)) throw new DataError(`normalisation mean[${ch}] must be finite, got ${m}`);
  });
}

/** A new ImageSet with normalised images; the input is not modified. */
export function normalize(set: ImageSet, stats: ChannelStats): ImageSet {
  checkStats(stats, set.channels);
  const c = set.channels;
  const inv = stats.std.map((s) => 1 / s);
  const src = set.images;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const ch = i % c;
    out[i] = (src[i]! - stats.mean[ch]!) * inv[ch]!;
  }
  return { ...set, images: out };
}

/**
 * Normalises train and test with the given stats, or with stats computed from the train
 * set (never the test set, which would leak it). Returns the stats used.
 */
export function normalizeDataset(ds: Dataset, stats?: ChannelStats): { dataset: Dataset; stats: ChannelStats } {
  const used = stats ?? channelStats(ds.train);
  return { dataset: { ...ds, train: normalize(ds.train, used), test: normalize(ds.test, used) }, stats: used };
}

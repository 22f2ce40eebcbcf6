import type { Preprocess } from '@spikelite/schemas';

/**
 * A set of images with labels, held in memory in the layout the models consume:
 * NHWC float32 scaled to [0, 1] (uint8 / 255), labels as int32 class indices.
 */
export interface ImageSet {
  /** count * height * width * channels floats, NHWC. */
  readonly images: Float32Array;
  /** count class indices in [0, classes). */
  readonly labels: Int32Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Number of classes of the dataset (not just those present in this set). */
  readonly classes: number;
}

/** Formats of the binary dataset files a directory may hold. */
export type BinaryDatasetFormat = 'idx' | 'cifar10' | 'cifar100';
/** The on-disk format a dataset was read from (folder and list: image files; 'nmnist': event files, see events/). */
export type DatasetFormat = BinaryDatasetFormat | 'folder' | 'list' | 'nmnist';

export interface Dataset {
  /** Registered name (e.g. `fashion-mnist`), or the directory's base name. */
  readonly name: string;
  readonly format: DatasetFormat;
  /** The directory the files were read from. */
  readonly dir: string;
  readonly train: ImageSet;
  readonly test: ImageSet;
  readonly classNames?: readonly string[];
  /**
   * Event datasets: each image is a clip of `bins` frames of `channels` channels, laid out
   * [H, W, channels·bins] frame-major (channel k·channels + c is channel c of frame k).
   */
  readonly frames?: { readonly bins: number; readonly channels: number };
  /** How image files were preprocessed (folder and list datasets); record it with the run. */
  readonly preprocess?: Preprocess;
}

/** Floats per image: height * width * channels. */
export function imageSize(set: Pick<ImageSet, 'height' | 'width' | 'channels'>): number {
  return set.height * set.width * set.channels;
}


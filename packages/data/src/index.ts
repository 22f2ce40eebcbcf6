/**
 * @spikelite/data: image datasets (IDX, CIFAR binary), normalisation, seeded batching, and
 * torchvision-style preprocessing. Image folders and list files (Node only) are in
 * `@spikelite/data/folder`; `loadDataset('folder:DIR')` loads them on demand.
 */
export { DataError } from './errors.js';
export type { BinaryDatasetFormat, Dataset, DatasetFormat, ImageSet } from './types.js';
export { imageSize } from './types.js';

export { parseIdx, readIdx, idxImageSet, readIdxImageSet } from './idx.js';
export type { IdxArray, IdxPairOptions } from './idx.js';

export { CIFAR10_CLASS_NAMES, cifarRecordBytes, decodeCifar, readCifar } from './cifar.js';
export type { CifarVariant } from './cifar.js';

export {
  DATA_DIR_ENV,
  DATASETS,
  FASHION_MNIST_CLASS_NAMES,
  SYSTEM_DATA_DIR,
  dataRoots,
  datasetNames,
  loadDataset,
} from './registry.js';
export type { DatasetEntry, LoadOptions } from './registry.js';

export {
  CIFAR100_STATS,
  CIFAR10_STATS,
  channelStats,
  defaultStats,
  normalize,
  normalizeDataset,
  signedUnitStats,
} from './normalize.js';
export type { ChannelStats } from './normalize.js';

export { batchAt, batchCount, batches, epochOrder, subset, takeFirst } from './batches.js';
export type { Batch, BatchOptions } from './batches.js';

export { augmentBatch, randomCropFlip } from './augment.js';
export type { AugmentOptions, ImageShape } from './augment.js';

// Event-camera data (N-MNIST, AEDAT 2.0/3.1) → frames → clip image sets.
export * from './events/index.js';
export { compilePreprocess } from './preprocess/pipeline.js';
export type { CompiledPreprocess } from './preprocess/pipeline.js';
export type { F32Image, Picture, U8Image } from './preprocess/image.js';
export { resizeImage } from './preprocess/resample.js';
export type { ResampleFilter } from './preprocess/resample.js';
export { centerCropImage, cropImage, hflipImage, randomResizedCropBox, resizedSize } from './preprocess/geometry.js';
export type { CropBox } from './preprocess/geometry.js';
export { toGrey, toRgb } from './preprocess/color.js';
export { IMAGE_DATASET_SCHEMES, parseImageDatasetSpec } from './image-spec.js';
export type { ImageDatasetScheme } from './image-spec.js';

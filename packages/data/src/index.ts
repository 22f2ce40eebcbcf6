/** @spikelite/data: image datasets (IDX, CIFAR binary), normalisation, seeded batching. */
export { DataError } from './errors.js';
export type { Dataset, DatasetFormat, ImageFileFormat, ImageSet } from './types.js';
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

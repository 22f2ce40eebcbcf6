/**
 * `@spikelite/data/folder`: image files (JPEG, PNG, WebP) as datasets, Node only (fs, sharp).
 * The browser-safe preprocessing lives in the main entry.
 */
export { openImageDataset, loadImageDataset } from './open.js';
export type { ImageFileDataset, OpenImageDatasetOptions, LoadImageDatasetOptions } from './open.js';
export { scanImageFolder, splitFolders, IMAGE_EXTENSIONS } from './scan.js';
export type { ImageFolderScan, ImageSample } from './scan.js';
export { parseImageList, readImageList, SPLITS } from './list.js';
export type { ImageList, ListEntry, Split } from './list.js';
export { decodeImage, decodeImageFile, ImageFileError } from './decode.js';
export { createImageSource, sampleRng } from './source.js';
export type { ImageSource, ImageSourceOptions } from './source.js';
export { loadImageSet, pickIndices, DEFAULT_MAX_BYTES } from './materialise.js';
export type { FileImageSet, ImageProgress, LoadImageSetOptions } from './materialise.js';
export { folderBatches } from './stream.js';
export type { FolderBatchOptions } from './stream.js';
export type { OnImageError, ReadOptions } from './read.js';
export { diskCache, cacheKey } from './cache.js';
export type { ImageCache, FileStamp } from './cache.js';
export { compareCodePoints } from './order.js';

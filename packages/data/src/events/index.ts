// Event-camera data: readers (N-MNIST, AEDAT 2.0/3.1), events → frames, event datasets.
export { eventStream } from './types.js';
export type { EventStream } from './types.js';
export { decodeNmnist, encodeNmnist, NMNIST_SIZE, NMNIST_OVERFLOW_US } from './nmnist.js';
export type { NmnistOptions } from './nmnist.js';
export { decodeAedat } from './aedat.js';
export type { AedatOptions } from './aedat.js';
export { eventsToFrames, framesToClip } from './frames.js';
export type { FrameOptions, Frames } from './frames.js';
export { DEFAULT_EVENT_BINS, EVENT_DATASETS, openEventDataset, parseEventDatasetSpec } from './dataset.js';
export type { EventDatasetEntry, EventDatasetOptions } from './dataset.js';

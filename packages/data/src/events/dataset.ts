/**
 * Event datasets on disk, opened as image sets of clips (frames.ts): `openEventDataset(
 * 'nmnist', dir, { bins: 10 })` reads N-MNIST's Train/<digit>/*.bin and Test/<digit>/*.bin,
 * bins every recording into frames and returns a Dataset whose images are [34, 34, 2·bins]
 * clips. A registry keyed by name, like the image datasets' (registry.ts).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, fileError } from '../errors.js';
import type { Dataset, ImageSet } from '../types.js';
import { eventsToFrames, framesToClip, type FrameOptions } from './frames.js';
import { decodeNmnist, NMNIST_SIZE } from './nmnist.js';
import type { EventStream } from './types.js';

export interface EventDatasetEntry {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly description: string;
  readonly width: number;
  readonly height: number;
  readonly classes: number;
  readonly classNames: readonly string[];
  /** Split directories; inside each, one directory per class named by its label. */
  readonly splits: { readonly train: string; readonly test: string };
  readonly extension: string;
  decode(bytes: Uint8Array, file: string): EventStream;
  readonly howToGet: string;
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

const ENTRIES: readonly EventDatasetEntry[] = [
  {
    name: 'nmnist',
    aliases: ['n-mnist'],
    description: 'N-MNIST: MNIST digits seen by an ATIS event camera on a moving base, 34x34, 2 polarities, 10 classes, 60000 train / 10000 test',
    ...NMNIST_SIZE,
    classes: 10,
    classNames: DIGITS,
    splits: { train: 'Train', test: 'Test' },
    extension: '.bin',
    decode: (bytes, file) => decodeNmnist(bytes, file),
    howToGet: 'Unpack Train.zip and Test.zip of N-MNIST (Orchard et al. 2015) into one directory: DIR/Train/0/*.bin … DIR/Test/9/*.bin.',
  },
];

export const EVENT_DATASETS: ReadonlyMap<string, EventDatasetEntry> = new Map(ENTRIES.flatMap((e) => [e.name, ...e.aliases].map((k) => [k, e] as const)));

/** Time bins per recording when none are given (`loadDataset('nmnist:DIR')`). */
export const DEFAULT_EVENT_BINS = 10;

/** `{ name, path }` for `<event dataset>:DIR` (e.g. `nmnist:/data/N-MNIST`), else undefined. */
export function parseEventDatasetSpec(spec: string): { name: string; path: string } | undefined {
  const m = /^([A-Za-z][\w-]*):(.*)$/.exec(spec);
  if (!m || !EVENT_DATASETS.has(m[1]!.toLowerCase())) return undefined;
  return { name: EVENT_DATASETS.get(m[1]!.toLowerCase())!.name, path: m[2]! };
}

export interface EventDatasetOptions extends Omit<FrameOptions, 'start' | 'end'> {
  /** Keep N clips, taken round-robin over the classes (class 0's first, class 1's first, …). */
  readonly limitTrain?: number;
  readonly limitTest?: number;
}

export async function openEventDataset(name: string, dir: string, options: EventDatasetOptions): Promise<Dataset> {
  const entry = EVENT_DATASETS.get(name.toLowerCase());
  if (entry === undefined) throw new DataError(`unknown event dataset "${name}" (known: ${ENTRIES.map((e) => e.name).join(', ')})`);
  // One split after the other: the first problem reported is always the train split's.
  const train = await readSplit(entry, join(dir, entry.splits.train), options, options.limitTrain);
  const test = await readSplit(entry, join(dir, entry.splits.test), options, options.limitTest);
  const channels = (options.polarity ?? 'split') === 'split' ? 2 : 1;
  return { name: entry.name, format: 'nmnist', dir, train, test, classNames: entry.classNames, frames: { bins: options.bins, channels } };
}

async function listDir(dir: string, entry: EventDatasetEntry): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    throw fileError(dir, `missing: ${entry.name} needs ${entry.splits.train}/ and ${entry.splits.test}/ with one directory per class. ${entry.howToGet}`);
  }
}

async function readSplit(entry: EventDatasetEntry, dir: string, options: EventDatasetOptions, limit: number | undefined): Promise<ImageSet> {
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new DataError(`limit must be a positive integer, got ${limit}`);
  const perClass: string[][] = [];
  const present = new Set(await listDir(dir, entry));
  for (const [label, cls] of entry.classNames.entries()) {
    if (!present.has(cls)) throw fileError(join(dir, cls), `missing class directory (label ${label})`);
    perClass.push((await listDir(join(dir, cls), entry)).filter((f) => f.endsWith(entry.extension)).map((f) => join(dir, cls, f)));
  }
  // Round-robin over the classes, so a limit keeps them balanced.
  const files: { file: string; label: number }[] = [];
  for (let i = 0; perClass.some((list) => i < list.length); i++) {
    perClass.forEach((list, label) => {
      if (i < list.length) files.push({ file: list[i]!, label });
    });
  }
  const chosen = files.slice(0, limit ?? files.length);
  if (chosen.length === 0) throw fileError(dir, `no ${entry.extension} files in its class directories`);
  const channels = (options.polarity ?? 'split') === 'split' ? 2 : 1;
  const clipSize = entry.height * entry.width * channels * options.bins;
  const images = new Float32Array(chosen.length * clipSize);
  const labels = new Int32Array(chosen.length);
  for (const [i, { file, label }] of chosen.entries()) {
    const events = entry.decode(new Uint8Array(await readFile(file)), file);
    images.set(framesToClip(eventsToFrames(events, options)), i * clipSize);
    labels[i] = label;
  }
  return { images, labels, count: chosen.length, height: entry.height, width: entry.width, channels: channels * options.bins, classes: entry.classes };
}

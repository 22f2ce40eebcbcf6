/**
 * Finds which dataset files a directory holds: IDX (MNIST-style names), CIFAR-10 binary
 * or CIFAR-100 binary. Pure file-name logic; nothing is read here.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BinaryDatasetFormat } from './types.js';

export interface IdxFiles {
  readonly format: 'idx';
  readonly dir: string;
  readonly trainImages: string;
  readonly trainLabels: string;
  readonly testImages: string;
  readonly testLabels: string;
}

export interface CifarFiles {
  readonly format: 'cifar10' | 'cifar100';
  readonly dir: string;
  readonly train: readonly string[];
  readonly test: readonly string[];
  /** Optional label names file shipped with the binary version. */
  readonly classNamesFile?: string;
}

export type DatasetFiles = IdxFiles | CifarFiles;

/** What a directory holds: a complete set, or notes on partial sets (for the error). */
export interface Detection {
  readonly found?: DatasetFiles;
  /** Human-readable notes such as "found train-images-idx3-ubyte.gz but not t10k-labels-idx1-ubyte[.gz]". */
  readonly partial: readonly string[];
}

const IDX_ROLES = [
  { key: 'trainImages', prefixes: ['train'], kind: 'images', idx: 'idx3' },
  { key: 'trainLabels', prefixes: ['train'], kind: 'labels', idx: 'idx1' },
  { key: 'testImages', prefixes: ['t10k', 'test'], kind: 'images', idx: 'idx3' },
  { key: 'testLabels', prefixes: ['t10k', 'test'], kind: 'labels', idx: 'idx1' },
] as const;

/** Accepted names for one IDX role: `train-images-idx3-ubyte`, `train-images.idx3-ubyte`, each optionally `.gz`. */
function idxNames(role: (typeof IDX_ROLES)[number]): string[] {
  const names: string[] = [];
  for (const p of role.prefixes) {
    for (const sep of ['-', '.']) {
      const base = `${p}-${role.kind}${sep}${role.idx}-ubyte`;
      names.push(base, `${base}.gz`);
    }
  }
  return names;
}

/** Per format, which files are looked for (used in error messages). */
export const LOOKED_FOR: Readonly<Record<BinaryDatasetFormat, string>> = {
  idx:
    'IDX: train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte ' +
    '(each optionally .gz; "-images.idx3-ubyte" spelling and "test-" prefix accepted)',
  cifar10: 'CIFAR-10 binary: data_batch_1.bin .. data_batch_5.bin and test_batch.bin (or in cifar-10-batches-bin/)',
  cifar100: 'CIFAR-100 binary: train.bin and test.bin (or in cifar-100-binary/)',
};

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function listFiles(dir: string): Promise<Set<string>> {
  try {
    return new Set(await readdir(dir));
  } catch {
    return new Set();
  }
}

function detectIdx(dir: string, names: Set<string>, partial: string[]): IdxFiles | undefined {
  const hit: Partial<Record<(typeof IDX_ROLES)[number]['key'], string>> = {};
  const missing: string[] = [];
  for (const role of IDX_ROLES) {
    const name = idxNames(role).find((n) => names.has(n));
    if (name === undefined) missing.push(`${role.prefixes[0]}-${role.kind}-${role.idx}-ubyte[.gz]`);
    else hit[role.key] = join(dir, name);
  }
  const { trainImages, trainLabels, testImages, testLabels } = hit;
  if (trainImages && trainLabels && testImages && testLabels) {
    return { format: 'idx', dir, trainImages, trainLabels, testImages, testLabels };
  }
  if (missing.length < IDX_ROLES.length) {
    const have = Object.values(hit).map((f) => f.slice(dir.length + 1));
    partial.push(`${dir}: IDX files incomplete: found ${have.join(', ')} but not ${missing.join(', ')}`);
  }
  return undefined;
}

function detectCifar10(dir: string, names: Set<string>, partial: string[]): CifarFiles | undefined {
  const batches = [...names]
    .map((n) => /^data_batch_(\d+)\.bin$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => join(dir, m[0]));
  const hasTest = names.has('test_batch.bin');
  if (batches.length > 0 && hasTest) {
    const meta = names.has('batches.meta.txt') ? { classNamesFile: join(dir, 'batches.meta.txt') } : {};
    return { format: 'cifar10', dir, train: batches, test: [join(dir, 'test_batch.bin')], ...meta };
  }
  if (batches.length > 0) partial.push(`${dir}: CIFAR-10 files incomplete: found data_batch_*.bin but not test_batch.bin`);
  if (hasTest) partial.push(`${dir}: CIFAR-10 files incomplete: found test_batch.bin but no data_batch_*.bin`);
  return undefined;
}

function detectCifar100(dir: string, names: Set<string>, partial: string[]): CifarFiles | undefined {
  const hasTrain = names.has('train.bin');
  const hasTest = names.has('test.bin');
  if (hasTrain && hasTest) {
    const meta = names.has('fine_label_names.txt') ? { classNamesFile: join(dir, 'fine_label_names.txt') } : {};
    return { format: 'cifar100', dir, train: [join(dir, 'train.bin')], test: [join(dir, 'test.bin')], ...meta };
  }
  if (hasTrain !== hasTest) {
    partial.push(`${dir}: CIFAR-100 files incomplete: found ${hasTrain ? 'train.bin' : 'test.bin'} but not ${hasTrain ? 'test.bin' : 'train.bin'}`);
  }
  return undefined;
}

/** Looks for a complete dataset in `dir` and its standard CIFAR subdirectories. */
export async function detectDatasetFiles(dir: string): Promise<Detection> {
  const partial: string[] = [];
  const top = await listFiles(dir);
  const found =
    detectIdx(dir, top, partial) ?? detectCifar10(dir, top, partial) ?? detectCifar100(dir, top, partial);
  if (found) return { found, partial };
  // The official archives unpack into these subdirectories.
  const c10 = join(dir, 'cifar-10-batches-bin');
  if (top.has('cifar-10-batches-bin')) {
    const f = detectCifar10(c10, await listFiles(c10), partial);
    if (f) return { found: f, partial };
  }
  const c100 = join(dir, 'cifar-100-binary');
  if (top.has('cifar-100-binary')) {
    const f = detectCifar100(c100, await listFiles(c100), partial);
    if (f) return { found: f, partial };
  }
  return { partial };
}

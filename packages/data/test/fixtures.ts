/** Helpers for tests: write small IDX and CIFAR files into temporary directories. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const made: string[] = [];

/** A fresh temporary directory; removeTempDirs() deletes all of them. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spikelite-data-'));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** IDX bytes: 00 00 dtype ndims, big-endian dims, then data. */
export function idxBytes(dims: readonly number[], data: ArrayLike<number>, dtype = 0x08): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = dtype;
  header[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(Uint8Array.from(data), header.length);
  return out;
}

/** Writes bytes to dir/name, gzipped when asked; returns the path. */
export function writeFile(dir: string, name: string, bytes: Uint8Array, gzip = false): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, gzip ? gzipSync(bytes) : bytes);
  return path;
}

/** Deterministic pixel values that differ by position, image and channel. */
export function pixel(n: number, i: number): number {
  return (n * 37 + i * 11 + 5) % 256;
}

export interface IdxSetSpec {
  count: number;
  height: number;
  width: number;
  labels: readonly number[];
}

/** Pixel bytes for an IDX image set (row-major N x H x W). */
export function idxPixels(spec: IdxSetSpec): Uint8Array {
  const size = spec.height * spec.width;
  return Uint8Array.from({ length: spec.count * size }, (_, k) => pixel(Math.floor(k / size), k % size));
}

/** Writes a full IDX dataset (train + test) with the given names' spelling. */
export function writeIdxDataset(
  dir: string,
  train: IdxSetSpec,
  test: IdxSetSpec,
  opts: { gzip?: boolean; dotted?: boolean } = {},
): void {
  const sfx = opts.gzip ? '.gz' : '';
  const sep = opts.dotted ? '.' : '-';
  for (const [prefix, spec] of [['train', train], ['t10k', test]] as const) {
    writeFile(dir, `${prefix}-images${sep}idx3-ubyte${sfx}`, idxBytes([spec.count, spec.height, spec.width], idxPixels(spec)), opts.gzip);
    writeFile(dir, `${prefix}-labels${sep}idx1-ubyte${sfx}`, idxBytes([spec.count], spec.labels), opts.gzip);
  }
}

/**
 * CIFAR records: label byte(s) then 3072 bytes, channel-major. Pixel (y, x) of channel c of
 * record n holds cifarPixel(n, c, y, x).
 */
export function cifarPixel(n: number, c: number, y: number, x: number): number {
  return (n * 53 + c * 101 + y * 7 + x * 3) % 256;
}

export function cifarBytes(labels: readonly (number | readonly [number, number])[]): Uint8Array {
  const labelBytes = typeof labels[0] === 'number' ? 1 : 2;
  const record = labelBytes + 3072;
  const out = new Uint8Array(labels.length * record);
  labels.forEach((l, n) => {
    const base = n * record;
    if (typeof l === 'number') out[base] = l;
    else {
      out[base] = l[0];
      out[base + 1] = l[1];
    }
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 32; y++)
        for (let x = 0; x < 32; x++) out[base + labelBytes + c * 1024 + y * 32 + x] = cifarPixel(n, c, y, x);
  });
  return out;
}

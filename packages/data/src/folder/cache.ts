/**
 * An on-disk cache of decoded, preprocessed images. It holds the result of the deterministic
 * steps at the head of the preprocessing (all of them for evaluation; for training, those
 * before the first random step), keyed by the file's absolute path, size and modification
 * time and by those steps: a changed file or transform misses, and nothing is ever stale.
 * One file per image, written atomically (temporary name, then rename).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PreprocessStep } from '@spikelite/schemas';
import { isFloat, type Picture } from '../preprocess/image.js';

/** Bump when an implementation change alters cached results. */
const CACHE_FORMAT = 1;
const MAGIC = 0x31434c53; // 'SLC1'
const HEADER_BYTES = 20;

export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

export function cacheKey(file: string, stamp: FileStamp, steps: readonly PreprocessStep[]): string {
  const text = JSON.stringify({ v: CACHE_FORMAT, file, size: stamp.size, mtimeMs: stamp.mtimeMs, steps });
  return createHash('sha256').update(text).digest('hex');
}

export interface ImageCache {
  get(key: string): Promise<Picture | undefined>;
  put(key: string, p: Picture): Promise<void>;
}

function encode(p: Picture): Uint8Array {
  const body = new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength);
  const out = new Uint8Array(HEADER_BYTES + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, isFloat(p) ? 2 : 1, true);
  view.setUint32(8, p.height, true);
  view.setUint32(12, p.width, true);
  view.setUint32(16, p.channels, true);
  out.set(body, HEADER_BYTES);
  return out;
}

function decode(bytes: Uint8Array): Picture | undefined {
  if (bytes.length < HEADER_BYTES) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) return undefined;
  const dtype = view.getUint32(4, true);
  const height = view.getUint32(8, true);
  const width = view.getUint32(12, true);
  const channels = view.getUint32(16, true);
  const n = height * width * channels;
  const body = new Uint8Array(bytes.subarray(HEADER_BYTES)); // a copy (Buffer.slice would not be): aligned, owned
  if (dtype === 1 && body.length === n) return { data: body, width, height, channels };
  if (dtype === 2 && body.length === n * 4) return { data: new Float32Array(body.buffer), width, height, channels };
  return undefined; // damaged entry: a miss, rewritten by the next put
}

/** A cache in `dir` (created when needed); entries are `<dir>/<key[0:2]>/<key>.bin`. */
export function diskCache(dir: string): ImageCache {
  let tmp = 0;
  const path = (key: string): string => join(dir, key.slice(0, 2), `${key}.bin`);
  return {
    async get(key) {
      try {
        return decode(await readFile(path(key)));
      } catch {
        return undefined;
      }
    },
    async put(key, p) {
      const file = path(key);
      await mkdir(join(dir, key.slice(0, 2)), { recursive: true });
      const part = `${file}.${process.pid}.${tmp++}.part`;
      await writeFile(part, encode(p));
      await rename(part, file);
    },
  };
}

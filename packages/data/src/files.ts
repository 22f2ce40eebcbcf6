import { readFile } from 'node:fs/promises';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { fileError } from './errors.js';

const gunzipAsync = promisify(gunzip);

/** True when the bytes start with the gzip magic 1f 8b (file names lie; bytes do not). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Reads a whole file, turning fs errors into DataErrors that name the file. */
export async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw fileError(file, 'file not found', err);
    if (code === 'EISDIR') throw fileError(file, 'is a directory, expected a file', err);
    if (code === 'EACCES' || code === 'EPERM') throw fileError(file, 'permission denied', err);
    throw fileError(file, `cannot read: ${(err as Error).message}`, err);
  }
}

/** Decompresses gzip input (detected by magic bytes); other input is returned as is. */
export async function gunzipIfNeeded(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    // Async gunzip runs on libuv's thread pool, so train and test files decode in parallel.
    return await gunzipAsync(bytes);
  } catch (err) {
    throw fileError(file, `not a valid gzip stream (${(err as Error).message})`, err);
  }
}

/** Reads a file, raw or gzip, as bytes. */
export async function readMaybeGzip(file: string): Promise<Uint8Array> {
  return gunzipIfNeeded(await readBytes(file), file);
}

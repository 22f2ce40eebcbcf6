/** Test helper: unpack a .tar.gz of plain files (ustar, as Python's tarfile writes it) into a folder. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

function field(block: Uint8Array, offset: number, length: number): string {
  const bytes = block.subarray(offset, offset + length);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** Unpacks `archive` into `dir`; returns the file paths written, in archive order. */
export function extractTarGz(archive: string, dir: string): string[] {
  const tar = gunzipSync(readFileSync(archive));
  const written: string[] = [];
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break; // end of archive
    const name = field(header, 0, 100);
    const prefix = field(header, 345, 155);
    const size = parseInt(field(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156]!);
    at += 512;
    if (type === '0' || type === '\0') {
      const path = join(dir, prefix ? `${prefix}/${name}` : name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, tar.subarray(at, at + size));
      written.push(path);
    } else if (type !== '5') throw new Error(`${archive}: unsupported tar entry type '${type}' for ${name}`);
    at += Math.ceil(size / 512) * 512;
  }
  return written;
}

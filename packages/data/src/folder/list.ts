/**
 * A list file of images and labels, one per line: `path,label` (CSV, fields may be quoted)
 * or `path label` (whitespace, as Caffe's lists), with an optional third field `split`
 * (train, val or test). Paths are relative to the list file's folder. Labels are either all
 * class indices (0, 1, ...) or class names, which are then sorted as ImageFolder sorts
 * its folders. Empty lines, lines starting with '#' and a header line (`path,label[,split]`)
 * are skipped.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { DataError, fileError } from '../errors.js';
import { compareCodePoints } from './order.js';
import type { ImageSample } from './scan.js';

export const SPLITS = ['train', 'val', 'test'] as const;
export type Split = (typeof SPLITS)[number];

export interface ListEntry extends ImageSample {
  /** 1-based line of the list file, for messages. */
  readonly line: number;
  readonly split?: Split;
}

export interface ImageList {
  readonly file: string;
  /** Class names, index = label: the sorted names, or '0'..'n-1' for numeric labels. */
  readonly classes: readonly string[];
  /** True when the file gave class indices rather than names. */
  readonly numeric: boolean;
  readonly entries: readonly ListEntry[];
}

/** Splits one CSV line; quoted fields may hold commas and doubled quotes. */
function csvFields(line: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return undefined; // unterminated quote
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && line[i] !== ',') return undefined;
    } else {
      const end = line.indexOf(',', i);
      field = line.slice(i, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
    }
    fields.push(field.trim());
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

function lineFields(line: string): string[] | undefined {
  if (line.includes(',') || line.startsWith('"')) return csvFields(line);
  // `path label [split]` separated by whitespace: the path is everything before the label.
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2) return undefined;
  const last = parts[parts.length - 1]!;
  if ((SPLITS as readonly string[]).includes(last) && parts.length >= 3) {
    return [parts.slice(0, -2).join(' '), parts[parts.length - 2]!, last];
  }
  return [parts.slice(0, -1).join(' '), last];
}

/** Parses list-file text (exported for tests); `file` names the source in errors and anchors relative paths. */
export function parseImageList(text: string, file: string): ImageList {
  const base = dirname(file);
  const rows: { path: string; label: string; split?: Split; line: number }[] = [];
  const lines = text.split(/\r?\n/);
  for (const [k, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = lineFields(line);
    const where = `${file}:${k + 1}`;
    if (!fields || fields.length < 2 || fields.length > 3 || fields[0] === '' || fields[1] === '') {
      throw new DataError(`${where}: expected "path,label" or "path,label,split", got "${line}"`, { file });
    }
    const [path, label, split] = fields as [string, string, string | undefined];
    if (rows.length === 0 && label.toLowerCase() === 'label') continue; // header
    if (split !== undefined && !(SPLITS as readonly string[]).includes(split)) {
      throw new DataError(`${where}: split must be one of ${SPLITS.join(', ')}, got "${split}"`, { file });
    }
    rows.push({ path: isAbsolute(path) ? path : resolve(base, path), label, line: k + 1, ...(split ? { split: split as Split } : {}) });
  }
  if (rows.length === 0) throw fileError(file, 'no images listed (expected lines of "path,label")');
  const numeric = rows.every((r) => /^\d+$/.test(r.label));
  let classes: string[];
  let labelOf: (s: string) => number;
  if (numeric) {
    const max = Math.max(...rows.map((r) => Number(r.label)));
    classes = Array.from({ length: max + 1 }, (_, i) => String(i));
    labelOf = Number;
  } else {
    classes = [...new Set(rows.map((r) => r.label))].sort(compareCodePoints);
    const index = new Map(classes.map((c, i) => [c, i]));
    labelOf = (s) => index.get(s)!;
  }
  const entries = rows.map((r) => ({
    file: r.path,
    label: labelOf(r.label),
    line: r.line,
    ...(r.split ? { split: r.split } : {}),
  }));
  return { file, classes, numeric, entries };
}

export async function readImageList(file: string): Promise<ImageList> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw fileError(file, code === 'ENOENT' ? 'list file not found' : `cannot read: ${(err as Error).message}`, err);
  }
  return parseImageList(text, file);
}

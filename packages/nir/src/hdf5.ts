/**
 * The HDF5 layer: bytes ⇄ a plain tree of groups, numeric tensors and strings. Everything
 * NIR-specific lives above it. HDF5 is h5wasm (the HDF5 C library compiled to WebAssembly,
 * its ESM build with the .wasm inlined): it reads and writes, in Node and in browsers,
 * offline, through an in-memory file system, so no path on disk is ever touched.
 */
import h5wasm from 'h5wasm';
import type { Dataset as H5Dataset, Group as H5GroupHandle } from 'h5wasm';
import { isIntegerDtype, type NirDtype, type NirTensor } from './tensor.js';

/** A string dataset: shape [] for a scalar string (`type`, `version`), [E, 2] for `edges`. */
export interface H5Strings {
  readonly kind: 'strings';
  readonly shape: readonly number[];
  readonly values: readonly string[];
}

/** A dataset this reader cannot represent (compound, enum, float16, references, …). */
export interface H5Unsupported {
  readonly kind: 'unsupported';
  readonly description: string;
}

export interface H5Group {
  readonly kind: 'group';
  /** Child name → value, in the file's link order (HDF5 orders links by name). */
  readonly entries: Readonly<Record<string, H5Value>>;
}

export type H5Value = NirTensor | H5Strings | H5Group | H5Unsupported;

export const isGroup = (v: unknown): v is H5Group => typeof v === 'object' && v !== null && (v as H5Group).kind === 'group';
export const isUnsupported = (v: unknown): v is H5Unsupported =>
  typeof v === 'object' && v !== null && (v as H5Unsupported).kind === 'unsupported';
export const isStrings = (v: unknown): v is H5Strings =>
  typeof v === 'object' && v !== null && (v as H5Strings).kind === 'strings';

/** What a value is, in words, for "expected …, got …" messages. */
export function describe(v: H5Value | undefined): string {
  if (v === undefined) return 'nothing';
  if (isGroup(v)) return 'a group';
  if (isStrings(v)) return v.shape.length === 0 ? `the string ${JSON.stringify(v.values[0])}` : `a string array of shape [${v.shape.join(', ')}]`;
  if (isUnsupported(v)) return v.description;
  return `a ${v.dtype} array of shape [${v.shape.join(', ')}]`;
}

let modulePromise: Promise<{ FS: { writeFile(p: string, d: Uint8Array): void; readFile(p: string): Uint8Array; unlink(p: string): void } }> | undefined;
let fileCounter = 0;

function h5(): NonNullable<typeof modulePromise> {
  modulePromise ??= h5wasm.ready as unknown as NonNullable<typeof modulePromise>;
  return modulePromise;
}

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when `bytes` start with the HDF5 signature (at offset 0; user blocks are not searched). */
export function hasHdf5Signature(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && HDF5_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * The file size the superblock declares (its end-of-file address), or null when the
 * superblock is too short or of an unknown version. Checked before h5wasm opens the file, so
 * a truncated download is named as such.
 */
export function declaredFileSize(bytes: Uint8Array): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 9) return null;
  const version = bytes[8]!;
  let offsetSize: number;
  let eofAt: number;
  if (version === 0 || version === 1) {
    if (bytes.length < 14) return null;
    offsetSize = bytes[13]!;
    eofAt = (version === 0 ? 24 : 28) + 2 * offsetSize; // after base and free-space addresses
  } else if (version === 2 || version === 3) {
    offsetSize = bytes[9]!;
    eofAt = 12 + 2 * offsetSize; // after base and superblock-extension addresses
  } else return null;
  if (offsetSize !== 8 && offsetSize !== 4) return null;
  if (bytes.length < eofAt + offsetSize) return null;
  const eof = offsetSize === 8 ? Number(view.getBigUint64(eofAt, true)) : view.getUint32(eofAt, true);
  return Number.isFinite(eof) && eof > 0 ? eof : null;
}

/** Read a whole HDF5 file into a tree. Throws plain Errors; callers add the file name. */
export async function readHdf5(bytes: Uint8Array): Promise<H5Group> {
  const { FS } = await h5();
  const path = `/spikelite-nir-read-${++fileCounter}.h5`;
  FS.writeFile(path, bytes);
  let file: InstanceType<typeof h5wasm.File> | undefined;
  try {
    file = new h5wasm.File(path, 'r');
    return readGroup(file);
  } finally {
    file?.close();
    FS.unlink(path);
  }
}

function readGroup(group: H5GroupHandle): H5Group {
  const entries: Record<string, H5Value> = {};
  for (const name of group.keys()) {
    const child = group.get(name);
    if (child instanceof h5wasm.Group) entries[name] = readGroup(child);
    else if (child instanceof h5wasm.Dataset) entries[name] = readDataset(child);
    else entries[name] = { kind: 'unsupported', description: `a link or object h5wasm cannot open (${child === null ? 'null' : child.constructor.name})` };
  }
  return { kind: 'group', entries };
}

function readDataset(ds: H5Dataset): H5Value {
  const m = ds.metadata;
  const shape = m.shape;
  if (shape === null) return { kind: 'unsupported', description: 'an empty (null-dataspace) dataset' };
  if (m.type === 3) {
    const v = ds.value;
    const values = shape.length === 0 ? [String(v)] : (v as unknown[]).map((x) => String(x));
    return { kind: 'strings', shape, values };
  }
  const dtype = numericDtype(m.type, m.size, m.signed);
  if (dtype === null) return { kind: 'unsupported', description: `a dataset of HDF5 type class ${m.type}, ${m.size} bytes` };
  if (!m.littleEndian) return { kind: 'unsupported', description: `a big-endian ${dtype} dataset` };
  const raw = ds.value;
  const list: ArrayLike<number | bigint> =
    typeof raw === 'number' || typeof raw === 'bigint' ? [raw] : (raw as ArrayLike<number | bigint>);
  const data = dtype === 'float32' ? new Float32Array(list.length) : new Float64Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const x = list[i]!;
    if (typeof x === 'bigint' && (x > BigInt(Number.MAX_SAFE_INTEGER) || x < BigInt(Number.MIN_SAFE_INTEGER))) {
      return { kind: 'unsupported', description: `a ${dtype} dataset with a value beyond 2^53 (${x})` };
    }
    data[i] = Number(x);
  }
  return { dtype, shape, data };
}

function numericDtype(typeClass: number, size: number, signed: boolean): NirDtype | null {
  if (typeClass === 1) return size === 4 ? 'float32' : size === 8 ? 'float64' : null;
  if (typeClass !== 0) return null;
  const bits = size * 8;
  if (![8, 16, 32, 64].includes(bits)) return null;
  return `${signed ? 'int' : 'uint'}${bits}` as NirDtype;
}

const H5_DTYPE: Record<NirDtype, string> = {
  float32: '<f',
  float64: '<d',
  int8: '<b',
  int16: '<h',
  int32: '<i',
  int64: '<q',
  uint8: '<B',
  uint16: '<H',
  uint32: '<I',
  uint64: '<Q',
};

function typedData(t: NirTensor): Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array | Uint32Array | BigUint64Array {
  const d = t.data;
  switch (t.dtype) {
    case 'float32':
      return d instanceof Float32Array ? d : Float32Array.from(d);
    case 'float64':
      return Float64Array.from(d);
    case 'int8':
      return Int8Array.from(d);
    case 'int16':
      return Int16Array.from(d);
    case 'int32':
      return Int32Array.from(d);
    case 'int64':
      return BigInt64Array.from(d, (x) => BigInt(x));
    case 'uint8':
      return Uint8Array.from(d);
    case 'uint16':
      return Uint16Array.from(d);
    case 'uint32':
      return Uint32Array.from(d);
    case 'uint64':
      return BigUint64Array.from(d, (x) => BigInt(x));
  }
}

/** Write a tree as an HDF5 file and return its bytes. */
export interface WriteHdf5Options {
  /** 'gzip' deflates numeric arrays (one chunk each; scalars and empty arrays stay contiguous). */
  readonly compression?: 'none' | 'gzip';
}

export async function writeHdf5(root: H5Group, options: WriteHdf5Options = {}): Promise<Uint8Array> {
  const { FS } = await h5();
  const path = `/spikelite-nir-write-${++fileCounter}.h5`;
  const file = new h5wasm.File(path, 'w');
  try {
    writeGroup(file, root, options.compression === 'gzip');
  } finally {
    file.close();
  }
  try {
    return new Uint8Array(FS.readFile(path));
  } finally {
    FS.unlink(path);
  }
}

function writeGroup(group: H5GroupHandle, value: H5Group, gzip: boolean): void {
  for (const [name, v] of Object.entries(value.entries)) {
    if (isGroup(v)) writeGroup(group.create_group(name), v, gzip);
    else if (isStrings(v)) {
      const data = v.shape.length === 0 ? v.values[0]! : [...v.values];
      group.create_dataset({ name, data, shape: [...v.shape] });
    } else if (isUnsupported(v)) {
      throw new Error(`cannot write '${name}': ${v.description}`);
    } else {
      if (isIntegerDtype(v.dtype) && v.data.some((x) => !Number.isInteger(x))) {
        throw new Error(`cannot write '${name}': ${v.dtype} array holds a non-integer value`);
      }
      const chunked = gzip && v.shape.length > 0 && v.data.length > 0;
      group.create_dataset({
        name,
        data: typedData(v) as never,
        shape: [...v.shape],
        dtype: H5_DTYPE[v.dtype],
        ...(chunked ? { chunks: [...v.shape], compression: 'gzip' as const } : {}),
      });
    }
  }
}

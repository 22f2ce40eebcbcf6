/**
 * Values of ONNX TensorProtos (initializers and Constant attributes). Weights become
 * Float32Array whatever their stored precision; shape tensors become plain numbers.
 */
import { DataType, int64, type TensorProto } from './proto.js';

export interface DecodedTensor {
  dims: number[];
  /** float tensors as Float32Array; integer tensors as numbers (int64 shapes fit easily). */
  data: Float32Array | number[];
  float: boolean;
}

const DTYPE_NAMES: Record<number, string> = {
  0: 'UNDEFINED', 1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING',
  9: 'BOOL', 10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16',
};

export const dtypeName = (t: number | undefined): string => DTYPE_NAMES[t ?? 0] ?? `type ${t}`;

/** IEEE half → float (FLOAT16 tensors store the bits in raw_data or int32_data). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** Throws a plain Error with the problem; the importer adds the file and node. */
export function decodeTensor(t: TensorProto, external?: (t: TensorProto) => Uint8Array): DecodedTensor {
  const name = t.name ?? '';
  let stored: Uint8Array | undefined;
  if (t.data_location === 1 || t.external_data.length > 0) {
    if (external === undefined) {
      throw new Error(
        `tensor '${name}' is stored in external data, which only a model read from a file can reach ` +
          '(import the .onnx path with its data file beside it, or re-save with onnx.save_model(model, path, save_as_external_data=False))',
      );
    }
    stored = external(t);
  }
  const dims = t.dims.map(int64);
  const count = dims.reduce((a, b) => a * b, 1);
  const raw = stored ?? (t.raw_data !== undefined && t.raw_data.length > 0 ? t.raw_data : undefined);
  // raw_data may be an unaligned view into the file buffer: read it through a DataView.
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const need = (bytesEach: number): void => {
    if (raw && raw.length !== count * bytesEach) {
      throw new Error(`tensor '${name}' has ${raw.length} bytes of data, its dims [${dims}] need ${count * bytesEach}`);
    }
  };
  let data: Float32Array | number[];
  let float = true;
  switch (t.data_type) {
    case DataType.FLOAT:
      need(4);
      data = view ? Float32Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true)) : Float32Array.from(t.float_data);
      break;
    case DataType.DOUBLE:
      need(8);
      data = view ? Float32Array.from({ length: count }, (_, i) => view.getFloat64(i * 8, true)) : Float32Array.from(t.double_data);
      break;
    case DataType.FLOAT16:
      need(2);
      data = view
        ? Float32Array.from({ length: count }, (_, i) => halfToFloat(view.getUint16(i * 2, true)))
        : Float32Array.from(t.int32_data, halfToFloat);
      break;
    case DataType.INT64:
      need(8);
      float = false;
      data = view ? Array.from({ length: count }, (_, i) => Number(view.getBigInt64(i * 8, true))) : t.int64_data.map(int64);
      break;
    case DataType.INT32:
      need(4);
      float = false;
      data = view ? Array.from({ length: count }, (_, i) => view.getInt32(i * 4, true)) : [...t.int32_data];
      break;
    case DataType.INT8:
    case DataType.UINT8:
    case DataType.BOOL:
      need(1);
      float = false;
      data = view
        ? Array.from({ length: count }, (_, i) => (t.data_type === DataType.INT8 ? view.getInt8(i) : view.getUint8(i)))
        : [...t.int32_data];
      break;
    default:
      throw new Error(`tensor '${name}' has data type ${dtypeName(t.data_type)}; supported: FLOAT, DOUBLE, FLOAT16, INT64, INT32, INT8, UINT8, BOOL`);
  }
  if (data.length !== count) throw new Error(`tensor '${name}' has ${data.length} values, its dims [${dims}] need ${count}`);
  return { dims, data, float };
}

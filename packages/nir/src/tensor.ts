/**
 * Numeric arrays as NIR stores them: a dtype, a shape (row-major, NIR's own axis order) and
 * the values. float32 values stay in a Float32Array, so a read–write round trip is
 * bit-identical; every other dtype is held as float64 numbers (integers exactly, up to 2^53)
 * and written back in its own dtype.
 */

export const NIR_DTYPES = ['float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64'] as const;
export type NirDtype = (typeof NIR_DTYPES)[number];

export interface NirTensor {
  readonly dtype: NirDtype;
  /** [] for a scalar. */
  readonly shape: readonly number[];
  /** Row-major values; Float32Array for float32, Float64Array for every other dtype. */
  readonly data: Float32Array | Float64Array;
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function isTensor(v: unknown): v is NirTensor {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Partial<NirTensor>;
  return (
    typeof t.dtype === 'string' &&
    (NIR_DTYPES as readonly string[]).includes(t.dtype) &&
    Array.isArray(t.shape) &&
    (t.data instanceof Float32Array || t.data instanceof Float64Array) &&
    t.data.length === sizeOf(t.shape)
  );
}

/** A tensor from numbers; `shape` defaults to 1-D. float32 rounds the values. */
export function nirTensor(values: ArrayLike<number>, shape: readonly number[] = [values.length], dtype: NirDtype = 'float32'): NirTensor {
  if (sizeOf(shape) !== values.length) {
    throw new Error(`nirTensor: ${values.length} values do not fill shape [${shape.join(', ')}]`);
  }
  const data = dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
  return { dtype, shape: [...shape], data };
}

/** A float32 tensor of `shape` filled with `value`. */
export function filledTensor(shape: readonly number[], value: number, dtype: NirDtype = 'float32'): NirTensor {
  return nirTensor(new Array<number>(sizeOf(shape)).fill(value), shape, dtype);
}

export function isIntegerDtype(dtype: NirDtype): boolean {
  return dtype !== 'float32' && dtype !== 'float64';
}

/** Same dtype, same shape, same values (NaN equals NaN; float32 compared bit for bit). */
export function tensorsEqual(a: NirTensor, b: NirTensor): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length) return false;
  if (a.shape.some((d, i) => d !== b.shape[i])) return false;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]!;
    const y = b.data[i]!;
    if (!(x === y || (Number.isNaN(x) && Number.isNaN(y)))) return false;
  }
  return true;
}

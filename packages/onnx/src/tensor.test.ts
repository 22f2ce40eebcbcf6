import { describe, expect, it } from 'vitest';
import type { TensorProto } from './proto.js';
import { decodeTensor } from './tensor.js';

function tensor(fields: Partial<TensorProto>): TensorProto {
  return { dims: [], float_data: [], int32_data: [], int64_data: [], double_data: [], uint64_data: [], external_data: [], ...fields };
}

const bytes = (fill: (v: DataView) => void, n: number): Uint8Array => {
  // An odd offset: raw_data views into a file buffer are not aligned.
  const buf = new Uint8Array(n + 1);
  fill(new DataView(buf.buffer, 1));
  return buf.subarray(1);
};

describe('decodeTensor', () => {
  it('FLOAT from unaligned raw_data and from float_data', () => {
    const raw = bytes((v) => [1.5, -2, 3.25].forEach((x, i) => v.setFloat32(i * 4, x, true)), 12);
    expect(Array.from(decodeTensor(tensor({ dims: [3], data_type: 1, raw_data: raw })).data)).toEqual([1.5, -2, 3.25]);
    expect(Array.from(decodeTensor(tensor({ dims: [1, 2], data_type: 1, float_data: [4, 5] })).data)).toEqual([4, 5]);
  });

  it('FLOAT16 and DOUBLE become float32', () => {
    // 0x3c00 = 1, 0xc000 = −2, 0x3800 = 0.5, 0x0001 = 2^−24 (subnormal).
    const raw = bytes((v) => [0x3c00, 0xc000, 0x3800, 0x0001].forEach((h, i) => v.setUint16(i * 2, h, true)), 8);
    const half = decodeTensor(tensor({ dims: [4], data_type: 10, raw_data: raw }));
    expect(half.float).toBe(true);
    expect(Array.from(half.data)).toEqual([1, -2, 0.5, Math.fround(2 ** -24)]);
    expect(Array.from(decodeTensor(tensor({ dims: [2], data_type: 11, double_data: [0.25, -8] })).data)).toEqual([0.25, -8]);
  });

  it('INT64 shapes from raw_data (negative values) and int64_data', () => {
    const raw = bytes((v) => [0n, -1n].forEach((x, i) => v.setBigInt64(i * 8, x, true)), 16);
    expect(decodeTensor(tensor({ dims: [2], data_type: 7, raw_data: raw }))).toEqual({ dims: [2], data: [0, -1], float: false });
    expect(decodeTensor(tensor({ dims: [2], data_type: 7, int64_data: [3, -1] })).data).toEqual([3, -1]);
  });

  it('refuses external data, short data and unsupported types', () => {
    expect(() => decodeTensor(tensor({ name: 'w', dims: [2], data_type: 1, data_location: 1 }))).toThrow(/tensor 'w' is stored in external data/);
    expect(() => decodeTensor(tensor({ name: 'w', dims: [3], data_type: 1, raw_data: new Uint8Array(8) }))).toThrow("tensor 'w' has 8 bytes of data, its dims [3] need 12");
    expect(() => decodeTensor(tensor({ name: 'w', dims: [3], data_type: 1, float_data: [1, 2] }))).toThrow("tensor 'w' has 2 values, its dims [3] need 3");
    expect(() => decodeTensor(tensor({ name: 's', dims: [1], data_type: 8 }))).toThrow("tensor 's' has data type STRING");
  });
});

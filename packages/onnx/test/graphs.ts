/**
 * Small ONNX graphs built in TypeScript for the tests: each op form is checked against
 * onnxruntime without needing Python. Attributes: number → INT, number[] → INTS,
 * string → STRING, { f } → FLOAT, { t } → TENSOR.
 */
import { encodeModel } from '../src/proto.js';

export type Attr = number | number[] | string | { f: number } | { floats: number[] } | { t: TensorInit };
export interface TensorInit {
  dims: number[];
  data: ArrayLike<number>;
  type?: 'float' | 'int64' | 'double';
  /** Store floats in float_data instead of raw_data (both forms occur in real files). */
  fieldData?: boolean;
}
export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs?: string[];
  attrs?: Record<string, Attr>;
  name?: string;
  domain?: string;
}
export interface GraphSpec {
  nodes: NodeSpec[];
  inits?: Record<string, TensorInit>;
  input?: { name: string; dims: Array<number | string> };
  output?: string;
  opset?: number;
}

function tensorProto(name: string, t: TensorInit): Record<string, unknown> {
  const type = t.type ?? 'float';
  const base = { name, dims: t.dims };
  if (type === 'int64') return { ...base, data_type: 7, int64_data: Array.from(t.data) };
  if (type === 'double') return { ...base, data_type: 11, double_data: Array.from(t.data) };
  if (t.fieldData) return { ...base, data_type: 1, float_data: Array.from(t.data) };
  return { ...base, data_type: 1, raw_data: new Uint8Array(Float32Array.from(t.data).buffer) };
}

function attrProto(name: string, v: Attr): Record<string, unknown> {
  if (typeof v === 'number') return { name, type: 2, i: v };
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: 7, ints: v };
  if ('f' in v) return { name, type: 1, f: v.f };
  if ('floats' in v) return { name, type: 6, floats: v.floats };
  return { name, type: 4, t: tensorProto('', v.t) };
}

/** Output of node i is `v<i>` unless given; the graph output is the last node's first output. */
export function buildGraph(spec: GraphSpec): Uint8Array {
  const input = spec.input ?? { name: 'x', dims: ['N', 1, 6, 6] };
  const nodes = spec.nodes.map((n, i) => ({
    op_type: n.op,
    name: n.name ?? `${n.op}_${i}`,
    domain: n.domain ?? '',
    input: n.inputs,
    output: n.outputs ?? [`v${i}`],
    attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attrProto(k, v)),
  }));
  const output = spec.output ?? nodes.at(-1)!.output[0]!;
  const dim = (d: number | string): Record<string, unknown> => (typeof d === 'number' ? { dim_value: d } : { dim_param: d });
  return encodeModel({
    ir_version: 8,
    opset_import: [{ domain: '', version: spec.opset ?? 13 }],
    producer_name: 'spikelite-tests',
    graph: {
      name: 'g',
      node: nodes,
      initializer: Object.entries(spec.inits ?? {}).map(([k, t]) => tensorProto(k, t)),
      input: [{ name: input.name, type: { tensor_type: { elem_type: 1, shape: { dim: input.dims.map(dim) } } } }],
      output: [{ name: output, type: { tensor_type: { elem_type: 1 } } }],
    },
  });
}

/** Deterministic values in [-scale, scale) (a small LCG; reproducible everywhere). */
export function randoms(n: number, seed = 1, scale = 0.5): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 2 * scale;
  });
}

export const w = (dims: number[], seed: number, scale = 0.5): TensorInit => ({ dims, data: randoms(dims.reduce((a, b) => a * b, 1), seed, scale) });
export const i64 = (data: number[]): TensorInit => ({ dims: [data.length], data, type: 'int64' });
/** Positive values (BatchNorm variances). */
export const pos = (n: number, seed: number): TensorInit => ({ dims: [n], data: randoms(n, seed).map((v) => 0.5 + Math.abs(v)) });

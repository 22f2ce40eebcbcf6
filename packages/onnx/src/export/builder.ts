/**
 * A small ONNX graph builder for the exporter: unique value names, initializers as raw
 * little-endian bytes, nodes with typed attributes, and a ModelInit for `encodeModel`.
 */
import { AttributeType, DataType, encodeModel, type ModelInit } from '../proto.js';

export type Attr = number | number[] | { float: number } | { floats: number[] };

export interface TensorInit {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

type NodeInit = ModelInit['graph']['node'][number];

/** Bytes of a typed array in little-endian order (every platform Node runs on is little-endian). */
const bytesOf = (a: Float32Array | Float64Array | BigInt64Array | Uint8Array): Uint8Array =>
  new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));

function attribute(name: string, v: Attr): unknown {
  if (typeof v === 'number') return { name, type: AttributeType.INT, i: v };
  if (Array.isArray(v)) return { name, type: AttributeType.INTS, ints: v };
  if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
  return { name, type: AttributeType.FLOATS, floats: v.floats };
}

export class GraphBuilder {
  private readonly nodes: NodeInit[] = [];
  private readonly initializers: TensorInit[] = [];
  private readonly used = new Set<string>();
  private readonly scalars = new Map<string, string>();

  /** A value name not used yet, from a readable hint (`t2/layers.3/u`). */
  fresh(hint: string): string {
    let name = hint;
    for (let i = 1; this.used.has(name); i++) name = `${hint}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Reserve an exact name (graph inputs and outputs). */
  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`GraphBuilder: the name '${name}' is taken`);
    this.used.add(name);
    return name;
  }

  float(hint: string, dims: number[], data: Float32Array): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dims, data_type: DataType.FLOAT, raw_data: bytesOf(data) });
    return name;
  }

  int64(hint: string, values: readonly number[]): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dims: [values.length], data_type: DataType.INT64, raw_data: bytesOf(BigInt64Array.from(values, BigInt)) });
    return name;
  }

  /** A shared rank-0 constant of type `float` (float32), `double` or `int64`. */
  scalar(value: number, type: 'float' | 'double' | 'int64' = 'float'): string {
    const key = `${type}:${Object.is(value, -0) ? '-0' : value}`;
    const known = this.scalars.get(key);
    if (known !== undefined) return known;
    const name = this.fresh(`const/${type}_${value}`);
    const raw =
      type === 'float' ? bytesOf(Float32Array.of(value)) : type === 'double' ? bytesOf(Float64Array.of(value)) : bytesOf(BigInt64Array.of(BigInt(value)));
    const dataType = type === 'float' ? DataType.FLOAT : type === 'double' ? DataType.DOUBLE : DataType.INT64;
    this.initializers.push({ name, dims: [], data_type: dataType, raw_data: raw });
    this.scalars.set(key, name);
    return name;
  }

  /** Add a node with one output; returns the output's name. */
  op(opType: string, inputs: string[], hint: string, attrs: Record<string, Attr> = {}, output?: string): string {
    const out = output ?? this.fresh(hint);
    this.nodes.push({
      op_type: opType,
      name: `${out}#${opType}`,
      input: inputs,
      output: [out],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  model(init: {
    name: string;
    opset: number;
    irVersion: number;
    inputs: unknown[];
    outputs: unknown[];
    docString: string;
    metadata: Record<string, string>;
  }): Uint8Array {
    return encodeModel({
      ir_version: init.irVersion,
      opset_import: [{ domain: '', version: init.opset }],
      producer_name: 'spikelite',
      doc_string: init.docString,
      metadata_props: Object.entries(init.metadata).map(([key, value]) => ({ key, value })),
      graph: { name: init.name, node: this.nodes, initializer: this.initializers, input: init.inputs, output: init.outputs },
    });
  }
}

/** A float tensor's ValueInfo; string dims are symbolic (the batch). */
export function valueInfo(name: string, dims: Array<number | string>, elemType: number = DataType.FLOAT): unknown {
  return {
    name,
    type: { tensor_type: { elem_type: elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) } } },
  };
}

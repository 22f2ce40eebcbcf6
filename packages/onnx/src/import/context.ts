/**
 * What an op handler sees of the graph (one ONNX node at a time): its attributes, its inputs
 * as constants or data values, and the IR it emits spikelite layers into. Layout changes
 * (NHWC ↔ ONNX order) and batch-axis rules live here, so handlers only state op semantics.
 */
import { INPUT_REF, type LayerInput } from '@spikelite/schemas';
import { OnnxImportError } from '../errors.js';
import { int64, type AttributeProto, type NodeProto } from '../proto.js';
import type { ImportReport } from './report.js';
import type { Ir, IrNode } from './ir.js';
import { isFloat, numbers, type StaticValue, type Sym } from './static.js';
import { chwToHwc, onnxDims, spikeliteAxis, type DataValue, type Layout } from './values.js';

type LeafInput = Exclude<LayerInput, { kind: 'residual' }>;

/** What the walker keeps per ONNX value name. */
export interface GraphState {
  readonly ir: Ir;
  readonly opset: number;
  /** The first axis is the batch (dynamic or fixed size), or there is none (the graph is one sample). */
  readonly batched: boolean;
  /** Fixed batch size of the file, for Reshape targets that spell it out. */
  batchSize: number | 'dynamic';
  readonly label: string;
  readonly values: Map<string, DataValue>;
  readonly statics: Map<string, StaticValue>;
  readonly graphOutputs: ReadonlySet<string>;
  /** How many nodes read each value (graph outputs count once more). */
  readonly uses: ReadonlyMap<string, number>;
  readonly report: ImportReport;
  nodeName(node: NodeProto): string;
}

export class OpContext {
  readonly op: string;
  readonly name: string;

  constructor(
    readonly node: NodeProto,
    private readonly g: GraphState,
  ) {
    this.op = node.op_type ?? '?';
    this.name = g.nodeName(node);
  }

  get opset(): number {
    return this.g.opset;
  }

  get batched(): boolean {
    return this.g.batched;
  }

  get batchSize(): number | 'dynamic' {
    return this.g.batchSize;
  }

  get ir(): Ir {
    return this.g.ir;
  }

  // ------------------------------------------------------------ errors

  fail(message: string): OnnxImportError {
    return new OnnxImportError(`${this.g.label}: node '${this.name}' (${this.op}): ${message}`, this.g.label, this.name, this.op);
  }

  /** The node works across the batch axis (retry with batch: 'none' may succeed). */
  batchFail(message: string): OnnxImportError {
    return new OnnxImportError(
      `${this.g.label}: node '${this.name}' (${this.op}): ${message}, so the first axis cannot be the batch (import with batch 'none' if the graph is one sample)`,
      this.g.label,
      this.name,
      this.op,
      'batch-axis',
    );
  }

  // ------------------------------------------------------------ attributes

  attr(name: string): AttributeProto | undefined {
    return this.node.attribute.find((a) => a.name === name);
  }

  int(name: string, def: number): number {
    const a = this.attr(name);
    return a === undefined ? def : int64(a.i);
  }

  ints(name: string): number[] | undefined {
    const a = this.attr(name);
    return a === undefined ? undefined : a.ints.map(int64);
  }

  float(name: string, def: number): number {
    const a = this.attr(name);
    return a === undefined ? def : (a.f ?? 0);
  }

  string(name: string, def: string): string {
    const a = this.attr(name);
    return a?.s === undefined ? def : new TextDecoder().decode(a.s);
  }

  /** Only attributes in `known` may be set (an unknown one changes semantics we do not implement). */
  onlyAttributes(known: readonly string[]): void {
    for (const a of this.node.attribute) if (!known.includes(a.name ?? '')) throw this.fail(`attribute '${a.name}' is not supported`);
  }

  // ------------------------------------------------------------ inputs

  input(i: number): string {
    return this.node.input[i] ?? '';
  }

  has(i: number): boolean {
    return this.input(i) !== '';
  }

  isStatic(i: number): boolean {
    return this.g.statics.has(this.input(i));
  }

  static(i: number, what: string): StaticValue {
    const v = this.g.statics.get(this.input(i));
    if (v === undefined) {
      if (!this.has(i)) throw this.fail(`its ${what} input is missing`);
      throw this.fail(`its ${what} '${this.input(i)}' must be a constant (an initializer or computed from constants), not computed from the data`);
    }
    return v;
  }

  floats(i: number, what: string): { dims: number[]; data: Float32Array } {
    const v = this.static(i, what);
    if (isFloat(v)) return v;
    return { dims: v.dims, data: Float32Array.from(numbers(v, what)) };
  }

  ints64(i: number, what: string): number[] {
    try {
      return numbers(this.static(i, what), what);
    } catch (e) {
      if (e instanceof OnnxImportError) throw e;
      throw this.fail(e instanceof Error ? e.message : String(e));
    }
  }

  data(i: number): DataValue {
    const v = this.g.values.get(this.input(i));
    if (v === undefined) {
      if (this.isStatic(i)) throw this.fail(`its input ${i} '${this.input(i)}' is a constant; the op is supported on data only`);
      throw this.fail(`its input ${i} '${this.input(i)}' is not produced by any node`);
    }
    return v;
  }

  /** The full ONNX shape of a data value (for Shape): the batch as 'N' or its fixed size. */
  fullShape(v: DataValue): Sym[] {
    return this.batched ? [this.batchSize === 'dynamic' ? 'N' : this.batchSize, ...v.dims] : [...v.dims];
  }

  isGraphOutput(i = 0): boolean {
    return this.g.graphOutputs.has(this.node.output[i] ?? '');
  }

  // ------------------------------------------------------------ axes

  /** The per-image ONNX axis of an axis attribute on a value of per-image rank `rank`. */
  axis(a: number, rank: number, what = 'axis'): number {
    const full = rank + (this.batched ? 1 : 0);
    const n = a < 0 ? a + full : a;
    if (n < 0 || n >= full) throw this.fail(`${what} ${a} is out of range for a rank-${full} input`);
    if (this.batched && n === 0) throw this.batchFail(`it works along axis 0`);
    return this.batched ? n - 1 : n;
  }

  // ------------------------------------------------------------ emitting

  emit(layer: LeafInput, inputs: readonly DataValue[] | readonly string[], params: Record<string, Float32Array> = {}, out = 0): IrNode {
    const refs = inputs.map((v) => (typeof v === 'string' ? v : v.ref));
    try {
      return this.g.ir.emit(layer, refs, params, { node: this.name, op: this.op }, this.node.output[out] || this.name);
    } catch (e) {
      throw this.fail(e instanceof Error ? e.message : String(e));
    }
  }

  /** The value a node holds, in a layout. */
  valueOf(node: IrNode, layout: Layout): DataValue {
    return { ref: node.id, dims: onnxDims(node.shape, layout), layout };
  }

  /** Emit and make it output `out`. */
  produce(layer: LeafInput, inputs: readonly DataValue[] | readonly string[], layout: Layout, params: Record<string, Float32Array> = {}, out = 0): DataValue {
    const v = this.valueOf(this.emit(layer, inputs, params, out), layout);
    this.setOutput(out, v);
    return v;
  }

  setOutput(i: number, v: DataValue): void {
    const name = this.node.output[i] ?? '';
    if (name !== '') this.g.values.set(name, v);
  }

  /** Pass a value through unchanged (Identity, Dropout, a no-op reshape). */
  passThrough(v: DataValue, reason: string): void {
    this.g.report.removed.push({ node: this.name, opType: this.op, reason });
    this.setOutput(0, v);
  }

  folded(into: string): void {
    this.g.report.folded.push({ node: this.name, opType: this.op, into });
  }

  /** Only the first output may be used (e.g. MaxPool's indices, Dropout's mask): declared but unused ones are fine. */
  onlyFirstOutput(what: string): void {
    const used = this.node.output.slice(1).find((o) => o !== '' && (this.g.uses.get(o) ?? 0) > 0);
    if (used !== undefined) throw this.fail(`its ${what} output '${used}' is used; only the first output is supported`);
  }

  // ------------------------------------------------------------ layouts

  /** An image value ([C, H, W] per image) held NHWC. */
  image(i: number): DataValue {
    const v = this.data(i);
    if (v.dims.length !== 3 || !this.batched) {
      throw this.fail(`expects an image [N, C, H, W], got ${this.describe(v)}`);
    }
    return this.nhwc(v);
  }

  nhwc(v: DataValue): DataValue {
    if (v.layout === 'nhwc') return v;
    if (v.dims.length !== 3) throw this.fail(`expects a rank-3 value per image, got ${this.describe(v)}`);
    return this.valueOf(this.emit({ kind: 'transpose', perm: [1, 2, 0] }, [v]), 'nhwc');
  }

  /** The value in ONNX element order (a transpose when it is held NHWC). */
  plain(v: DataValue): DataValue {
    if (v.layout === 'plain') return v;
    return this.valueOf(this.emit({ kind: 'transpose', perm: [2, 0, 1] }, [v]), 'plain');
  }

  describe(v: DataValue): string {
    return `[${this.batched ? 'N, ' : ''}${v.dims.join(', ')}]`;
  }

  spikeliteAxis(v: DataValue, a: number): number {
    return spikeliteAxis(v, a);
  }

  /**
   * A constant that broadcasts against data value `v` (ONNX rules over the full shapes), as a
   * spikelite per-image array of v's rank in v's layout. Throws when it varies along the batch
   * axis or has more axes than the value.
   */
  constantFor(v: DataValue, c: { dims: number[]; data: Float32Array }, what: string): { shape: number[]; data: Float32Array } {
    const full = v.dims.length + (this.batched ? 1 : 0);
    if (c.dims.length > full) throw this.fail(`its ${what} [${c.dims}] has more axes than the data ${this.describe(v)}`);
    let dims = [...Array<number>(full - c.dims.length).fill(1), ...c.dims];
    if (this.batched) {
      if (dims[0] !== 1) throw this.batchFail(`its ${what} [${c.dims}] varies along axis 0`);
      dims = dims.slice(1);
    }
    let data = c.data;
    if (v.layout === 'nhwc') {
      data = chwToHwc(data, dims as [number, number, number]);
      dims = [dims[1]!, dims[2]!, dims[0]!];
    }
    return { shape: dims, data };
  }

  /** A constant as a spikelite `constant` layer (its own batch axis of 1). */
  constantLayer(shape: number[], data: Float32Array, layout: Layout): DataValue {
    return this.valueOf(this.emit({ kind: 'constant', shape }, [], { value: data }), layout);
  }

  /** Is this IR ref the network input? */
  isInput(v: DataValue): boolean {
    return v.ref === INPUT_REF;
  }
}

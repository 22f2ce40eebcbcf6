/**
 * ONNX → spikelite: a ModelSpec (NHWC, sequential layers with residual blocks) and its
 * weights by parameter name, from what PyTorch exports for image classifiers.
 *
 * The graph is walked from the input: a value with one consumer continues the chain; a value
 * with two consumers is either x·Sigmoid(x) (SiLU) or a fork whose branches must merge in an
 * Add (a residual block; the branches are walked recursively). Shape subgraphs
 * (Shape/Gather/Unsqueeze/Concat/Constant feeding a Reshape) are evaluated, not converted.
 * Anything else throws one OnnxImportError naming the node; nothing half-imported escapes.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ModelSpec, type InputShape, type LayerInput, type ResidualLayerInput } from '@spikelite/schemas';
import { compileGraph } from '@spikelite/models';
import { OnnxImportError } from './errors.js';
import { hwcToChw } from './layout.js';
import { decodeModel, int64, type AttributeProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from './proto.js';
import { decodeTensor, dtypeName } from './tensor.js';

export interface ImportOptions {
  /** Fold a BatchNormalization into the Conv/Gemm/MatMul right before it (default true); otherwise keep batchNorm layers. */
  foldBatchNorm?: boolean;
  /** How errors name the model when bytes are given (default '<bytes>'). */
  label?: string;
}

export interface ImportReport {
  /** File path or label. */
  file: string;
  /** ai.onnx opset version. */
  opset: number;
  irVersion: number;
  /** `producer_name producer_version`, e.g. 'pytorch 1.13.0'. */
  producer: string;
  /** Node count of the ONNX graph (Constant and shape nodes included). */
  nodes: number;
  input: { name: string; dims: Array<number | string> };
  output: { name: string };
  /** Batch size fixed in the file, or 'dynamic'. */
  batch: number | 'dynamic';
  /** Nodes merged into a weight layer: BatchNormalization into Conv/Gemm, an Add bias into MatMul. */
  folded: Array<{ node: string; opType: string; into: string }>;
  /** Nodes that became no layer: Dropout, Identity, no-op Flatten/Reshape, the final Softmax, shape arithmetic. */
  removed: Array<{ node: string; opType: string; reason: string }>;
  /** A final Softmax/LogSoftmax that was removed: the spec outputs the logits before it. */
  outputActivation: 'softmax' | 'logSoftmax' | null;
}

export interface OnnxImport {
  spec: ModelSpec;
  /** Parameter values by the names `Network.create(spec)` gives them (`layers.0.kernel`, ...). */
  weights: Map<string, Float32Array>;
  report: ImportReport;
}

/** Opsets whose semantics for the supported ops are handled (Clip, ReduceMean, Squeeze, Softmax changed over time). */
export const SUPPORTED_OPSETS = { min: 7, max: 24 } as const;

/** ONNX ops the importer converts (besides shape arithmetic on constants). */
export const SUPPORTED_OPS = [
  'Conv', 'Gemm', 'MatMul', 'Add', 'Relu', 'Clip', 'Sigmoid', 'Mul', 'SiLU', 'Swish', 'LeakyRelu', 'Tanh',
  'MaxPool', 'AveragePool', 'GlobalAveragePool', 'ReduceMean', 'BatchNormalization', 'Flatten', 'Reshape',
  'Dropout', 'Identity', 'Pad', 'Softmax', 'LogSoftmax', 'Constant',
] as const;

/** Ops evaluated at import time when all their inputs are constants (or Shape of a known value). */
const STATIC_OPS = new Set(['Constant', 'Shape', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Cast', 'Identity']);

/**
 * A tensor on the data path, in ONNX terms. `image`: [N, C, H, W] (spikelite [N, H, W, C]).
 * `flat`: [N, n], or [N, n, 1, 1] (rank 4) after a keepdims pooling; `chw` when the ONNX
 * element order (c, h, w) differs from spikelite's NHWC flatten order (h, w, c).
 */
type Value =
  | { kind: 'image'; c: number; h: number; w: number }
  | { kind: 'flat'; n: number; rank: 2 | 4; chw?: readonly [number, number, number] | undefined };

type ParamKey = 'kernel' | 'bias' | 'gamma' | 'beta' | 'mean' | 'variance';
type LeafLayer = Exclude<LayerInput, ResidualLayerInput>;
type Item =
  | { kind: 'layer'; layer: LeafLayer; params: Partial<Record<ParamKey, Float32Array>>; output: string; node: string }
  | { kind: 'residual'; name?: string; body: Item[]; shortcut: Item[]; output: string };

/** Static (import-time) values: shape vectors may hold the symbolic batch 'N'. */
type Sym = number | 'N';
interface StaticValue {
  dims: number[];
  data: Float32Array | Sym[];
}

const describeValue = (v: Value): string =>
  v.kind === 'image' ? `[N, ${v.c}, ${v.h}, ${v.w}]` : v.rank === 4 ? `[N, ${v.n}, 1, 1]` : `[N, ${v.n}]`;

function sameValue(a: Value, b: Value): boolean {
  if (a.kind === 'image' && b.kind === 'image') return a.c === b.c && a.h === b.h && a.w === b.w;
  if (a.kind === 'flat' && b.kind === 'flat') return a.n === b.n && a.rank === b.rank && String(a.chw) === String(b.chw);
  return false;
}

/** Padding (before, after) of SAME_UPPER / SAME_LOWER for one axis. */
function autoPad(size: number, k: number, stride: number, dilation: number, lower: boolean): [number, number] {
  const extent = (k - 1) * dilation + 1;
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + extent - size, 0);
  const small = Math.floor(total / 2);
  return lower ? [total - small, small] : [small, total - small];
}

/** ONNX pooling output size (PyTorch rule with ceil_mode: a window may not start in the end padding). */
function poolOut(size: number, k: number, s: number, before: number, after: number, ceil: boolean): number {
  const span = size + before + after - k;
  if (!ceil) return Math.floor(span / s) + 1;
  let out = Math.ceil(span / s) + 1;
  if ((out - 1) * s >= size + before) out -= 1;
  return out;
}

class Importer {
  private readonly graph: GraphProto;
  private readonly opset: number;
  private readonly initializers = new Map<string, TensorProto>();
  private readonly producers = new Map<string, NodeProto>();
  private readonly dataConsumers = new Map<string, NodeProto[]>();
  private readonly staticNames = new Set<string>();
  private readonly staticCache = new Map<string, StaticValue>();
  private readonly nodeIndex = new Map<NodeProto, number>();
  private readonly visited = new Set<NodeProto>();
  private readonly values = new Map<string, Value>();
  private readonly graphOutputs: Set<string>;
  private readonly folded: ImportReport['folded'] = [];
  private readonly removed: ImportReport['removed'] = [];
  private outputActivation: ImportReport['outputActivation'] = null;
  private batch: number | 'dynamic' = 'dynamic';

  constructor(
    private readonly model: ModelProto,
    private readonly label: string,
    private readonly foldBn: boolean,
  ) {
    const graph = model.graph;
    if (graph === undefined || graph === null || graph.node.length === 0) {
      throw this.fail('not an ONNX model: it has no graph (is the file truncated, or not ONNX?)');
    }
    this.graph = graph;
    const ai = model.opset_import.find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
    if (ai === undefined) throw this.fail('the model imports no ai.onnx opset (is the file truncated, or not ONNX?)');
    this.opset = int64(ai.version);
    if (this.opset < SUPPORTED_OPSETS.min || this.opset > SUPPORTED_OPSETS.max) {
      throw this.fail(`opset ${this.opset} is not supported (supported: ${SUPPORTED_OPSETS.min}–${SUPPORTED_OPSETS.max})`);
    }
    for (const t of graph.initializer) this.initializers.set(t.name ?? '', t);
    this.graphOutputs = new Set(graph.output.map((o) => o.name ?? ''));
    graph.node.forEach((node, i) => {
      this.nodeIndex.set(node, i);
      for (const out of node.output) if (out !== '') this.producers.set(out, node);
      const op = node.op_type ?? '';
      const inputs = node.input.filter((n) => n !== '');
      const isStatic =
        isDefaultDomain(node) &&
        (op === 'Constant' || op === 'Shape' || (STATIC_OPS.has(op) && inputs.length > 0 && inputs.every((n) => this.isStatic(n))));
      if (isStatic) {
        for (const out of node.output) this.staticNames.add(out);
        return;
      }
      for (const name of new Set(inputs)) {
        if (this.isStatic(name)) continue;
        const list = this.dataConsumers.get(name) ?? [];
        list.push(node);
        this.dataConsumers.set(name, list);
      }
    });
  }

  private isStatic(name: string): boolean {
    return this.initializers.has(name) || this.staticNames.has(name);
  }

  // ---------- errors ----------

  private fail(message: string): OnnxImportError {
    return new OnnxImportError(`${this.label}: ${message}`, this.label);
  }

  private nodeName(node: NodeProto): string {
    return node.name !== undefined && node.name !== '' ? node.name : `#${this.nodeIndex.get(node) ?? '?'}`;
  }

  private nodeFail(node: NodeProto, message: string): OnnxImportError {
    const name = this.nodeName(node);
    const op = node.op_type ?? '?';
    return new OnnxImportError(`${this.label}: node '${name}' (${op}): ${message}`, this.label, name, op);
  }

  // ---------- attributes ----------

  private attr(node: NodeProto, name: string): AttributeProto | undefined {
    return node.attribute.find((a) => a.name === name);
  }

  private intAttr(node: NodeProto, name: string, def: number): number {
    const a = this.attr(node, name);
    return a === undefined ? def : int64(a.i);
  }

  private intsAttr(node: NodeProto, name: string): number[] | undefined {
    const a = this.attr(node, name);
    return a === undefined ? undefined : a.ints.map(int64);
  }

  private floatAttr(node: NodeProto, name: string, def: number): number {
    const a = this.attr(node, name);
    return a === undefined ? def : (a.f ?? 0);
  }

  private stringAttr(node: NodeProto, name: string, def: string): string {
    const a = this.attr(node, name);
    return a?.s === undefined ? def : new TextDecoder().decode(a.s);
  }

  // ---------- constants ----------

  private staticValue(name: string, user: NodeProto): StaticValue {
    const cached = this.staticCache.get(name);
    if (cached) return cached;
    let value: StaticValue;
    try {
      value = this.evalStatic(name, user);
    } catch (e) {
      if (e instanceof OnnxImportError) throw e;
      throw this.nodeFail(user, `cannot evaluate its constant input '${name}': ${e instanceof Error ? e.message : String(e)}`);
    }
    this.staticCache.set(name, value);
    return value;
  }

  private evalStatic(name: string, user: NodeProto): StaticValue {
    const init = this.initializers.get(name);
    if (init) {
      const t = decodeTensor(init);
      return { dims: t.dims, data: t.data };
    }
    const node = this.producers.get(name);
    if (node === undefined || !this.staticNames.has(name)) throw new Error(`'${name}' is not a constant`);
    const ins = node.input;
    const arg = (i: number): StaticValue => this.staticValue(ins[i] ?? '', node);
    const ints = (v: StaticValue): Sym[] => (v.data instanceof Float32Array ? Array.from(v.data) : v.data);
    switch (node.op_type) {
      case 'Constant': {
        const a = node.attribute[0];
        if (a === undefined) throw new Error('Constant without a value');
        if (a.name === 'value') {
          if (!a.t) throw new Error('Constant value without a tensor');
          const t = decodeTensor(a.t);
          return { dims: t.dims, data: t.data };
        }
        if (a.name === 'value_float') return { dims: [], data: Float32Array.of(a.f ?? 0) };
        if (a.name === 'value_floats') return { dims: [a.floats.length], data: Float32Array.from(a.floats) };
        if (a.name === 'value_int') return { dims: [], data: [int64(a.i)] };
        if (a.name === 'value_ints') return { dims: [a.ints.length], data: a.ints.map(int64) };
        throw new Error(`Constant '${a.name}' is not supported`);
      }
      case 'Shape': {
        const v = this.values.get(ins[0] ?? '');
        if (v === undefined) throw new Error(`the shape of '${ins[0]}' is needed before that value is computed`);
        const full: Sym[] =
          v.kind === 'image' ? ['N', v.c, v.h, v.w] : v.rank === 4 ? ['N', v.n, 1, 1] : ['N', v.n];
        const r = full.length;
        const norm = (i: number): number => Math.min(Math.max(i < 0 ? i + r : i, 0), r);
        const sliced = full.slice(norm(this.intAttr(node, 'start', 0)), norm(this.intAttr(node, 'end', r)));
        return { dims: [sliced.length], data: sliced };
      }
      case 'Gather': {
        const data = arg(0);
        const idx = arg(1);
        if (data.dims.length !== 1 || this.intAttr(node, 'axis', 0) !== 0) throw new Error('Gather of constants: only 1-D data along axis 0');
        const d = ints(data);
        const out = ints(idx).map((i) => {
          if (typeof i !== 'number') throw new Error('symbolic Gather index');
          const v = d[i < 0 ? i + d.length : i];
          if (v === undefined) throw new Error(`Gather index ${i} out of range`);
          return v;
        });
        return { dims: idx.dims, data: out };
      }
      case 'Unsqueeze':
      case 'Squeeze': {
        const x = arg(0);
        const axesVal = this.opset >= 13 && ins[1] ? ints(arg(1)) : this.intsAttr(node, 'axes');
        const axes = (axesVal ?? []).map(Number);
        let dims = [...x.dims];
        if (node.op_type === 'Unsqueeze') {
          const r = dims.length + axes.length;
          for (const a of axes.map((a) => (a < 0 ? a + r : a)).sort((p, q) => p - q)) dims.splice(a, 0, 1);
        } else {
          const drop = new Set(axes.length > 0 ? axes.map((a) => (a < 0 ? a + dims.length : a)) : dims.flatMap((d, i) => (d === 1 ? [i] : [])));
          dims = dims.filter((_, i) => !drop.has(i));
        }
        return { dims, data: x.data };
      }
      case 'Concat': {
        const parts = ins.filter((n) => n !== '').map((n) => this.staticValue(n, node));
        if (parts.some((p) => p.dims.length !== 1)) throw new Error('Concat of constants: only 1-D');
        const data = parts.flatMap((p) => ints(p));
        return { dims: [data.length], data };
      }
      case 'Cast':
      case 'Identity':
        return arg(0);
      default:
        throw new Error(`${node.op_type} is not evaluated at import time`);
    }
  }

  /** A float constant (weight) input; rejects data-path inputs. */
  private weight(node: NodeProto, index: number, what: string): { dims: number[]; data: Float32Array } {
    const name = node.input[index] ?? '';
    if (name === '') throw this.nodeFail(node, `its ${what} input is missing`);
    if (!this.isStatic(name)) throw this.nodeFail(node, `its ${what} '${name}' must be a constant (an initializer), not computed in the graph`);
    const v = this.staticValue(name, node);
    if (!(v.data instanceof Float32Array)) throw this.nodeFail(node, `its ${what} '${name}' must be a float tensor`);
    return { dims: v.dims, data: v.data };
  }

  private optionalWeight(node: NodeProto, index: number, what: string): { dims: number[]; data: Float32Array } | undefined {
    return (node.input[index] ?? '') === '' ? undefined : this.weight(node, index, what);
  }

  /** Float scalar from an optional constant input. */
  private scalarInput(node: NodeProto, index: number): number | undefined {
    const name = node.input[index] ?? '';
    if (name === '') return undefined;
    if (!this.isStatic(name)) throw this.nodeFail(node, `input '${name}' must be a constant`);
    const v = this.staticValue(name, node);
    const x = v.data[0];
    if (v.data.length !== 1 || typeof x !== 'number') throw this.nodeFail(node, `input '${name}' must be a scalar`);
    return x;
  }

  // ---------- values ----------

  private consumers(name: string): NodeProto[] {
    return this.dataConsumers.get(name) ?? [];
  }

  private valueOf(node: NodeProto, name: string): Value {
    const v = this.values.get(name);
    if (v === undefined) throw this.nodeFail(node, `its input '${name}' is not on the path from the graph input`);
    return v;
  }

  private image(node: NodeProto, name: string): { c: number; h: number; w: number } {
    const v = this.valueOf(node, name);
    if (v.kind !== 'image') throw this.nodeFail(node, `expects an image [N, C, H, W], got ${describeValue(v)}`);
    return v;
  }

  private flat(node: NodeProto, name: string): Extract<Value, { kind: 'flat' }> {
    const v = this.valueOf(node, name);
    if (v.kind !== 'flat' || v.rank !== 2) throw this.nodeFail(node, `expects a 2-D input [N, features] (flatten first), got ${describeValue(v)}`);
    return v;
  }

  private set(node: NodeProto, value: Value, index = 0): string {
    const out = node.output[index] ?? '';
    this.values.set(out, value);
    return out;
  }

  /** The single data input of `node` must be `cur` (others are constants). */
  private checkDataInputs(node: NodeProto, cur: string): void {
    const data = node.input.filter((n) => n !== '' && !this.isStatic(n));
    if (data.length !== 1 || data[0] !== cur) {
      throw this.nodeFail(node, `expects one computed input (and constants), got ${data.length} computed inputs (${data.join(', ')})`);
    }
  }

  /** Extra outputs (Dropout mask, MaxPool indices, BN running stats) must be unused. */
  private onlyFirstOutputUsed(node: NodeProto, what: string): void {
    for (const out of node.output.slice(1)) {
      if (out !== '' && (this.consumers(out).length > 0 || this.graphOutputs.has(out))) {
        throw this.nodeFail(node, `its ${what} output '${out}' is used; only the first output is supported`);
      }
    }
  }

  // ---------- walking ----------

  run(): OnnxImport {
    const graph = this.graph;
    const inputs = graph.input.filter((i) => !this.initializers.has(i.name ?? ''));
    if (inputs.length !== 1) throw this.fail(`expected one graph input, found ${inputs.length} (${inputs.map((i) => i.name).join(', ')})`);
    if (graph.output.length !== 1) throw this.fail(`expected one graph output, found ${graph.output.length} (${graph.output.map((o) => o.name).join(', ')})`);
    const input = inputs[0]!;
    const inputName = input.name ?? '';
    const tt = input.type?.tensor_type;
    if (tt?.elem_type !== undefined && tt.elem_type !== 1) throw this.fail(`input '${inputName}' is ${dtypeName(tt.elem_type)}; only FLOAT inputs are supported`);
    const dimsProto = tt?.shape?.dim ?? [];
    const dims: Array<number | string> = dimsProto.map((d) => (d.dim_param ? d.dim_param : d.dim_value !== undefined && d.dim_value !== null ? int64(d.dim_value) : '?'));
    const fixed = (i: number): number => {
      const d = dims[i];
      if (typeof d !== 'number' || d <= 0) throw this.fail(`input '${inputName}' must have a fixed size on axis ${i}, has ${String(d)} (dims [${dims.join(', ')}])`);
      return d;
    };
    let inputShape: InputShape;
    const items: Item[] = [];
    if (dims.length === 4) {
      inputShape = { channels: fixed(1), height: fixed(2), width: fixed(3) };
      this.values.set(inputName, { kind: 'image', c: inputShape.channels, h: inputShape.height, w: inputShape.width });
    } else if (dims.length === 2) {
      // A flat input [N, F] runs as a 1×1×F image flattened first.
      inputShape = { channels: fixed(1), height: 1, width: 1 };
      this.values.set(inputName, { kind: 'flat', n: inputShape.channels, rank: 2 });
      items.push({ kind: 'layer', layer: { kind: 'flatten' }, params: {}, output: inputName, node: inputName });
    } else {
      throw this.fail(`input '${inputName}' has dims [${dims.join(', ')}]; expected [N, C, H, W] or [N, features]`);
    }
    if (typeof dims[0] === 'number' && dims[0] > 0) this.batch = dims[0];

    const outName = graph.output[0]!.name ?? '';
    const end = this.walk(inputName, null, undefined, items);
    if (end !== outName) throw this.fail(`the walk from the input ended at '${end}', not at the graph output '${outName}'`);

    const left = graph.node.filter((n) => !this.visited.has(n) && !n.output.every((o) => this.staticNames.has(o)));
    if (left.length > 0) {
      const n = left[0]!;
      throw this.nodeFail(n, `is not on the single path from input to output (${left.length} such node(s)); only sequential graphs with residual blocks are supported`);
    }
    for (const n of graph.node) {
      if (!this.visited.has(n) && n.output.every((o) => this.staticNames.has(o))) {
        this.removed.push({ node: this.nodeName(n), opType: n.op_type ?? '', reason: 'evaluated at import time' });
      }
    }

    const out = this.values.get(end)!;
    if (out.kind !== 'flat') throw this.fail(`the output '${outName}' is ${describeValue(out)}; expected [N, classes]`);
    if (out.chw) throw this.fail(`the output '${outName}' is a flattened image whose element order differs between NCHW and NHWC`);

    const weights = new Map<string, Float32Array>();
    const layers = finalize(items, 'layers', weights);
    const fromFile = this.label === '<bytes>' ? '' : basename(this.label).replace(/\.onnx$/i, '');
    const name = fromFile || graph.name || 'onnx-model';
    const parsed = ModelSpec.safeParse({ name, input: inputShape, classes: out.n, layers });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw this.fail(`the imported layers do not form a valid ModelSpec: ${issue ? `${issue.path.join('.')}: ${issue.message}` : parsed.error.message}`);
    }
    const spec = parsed.data;
    checkWeights(spec, weights, this.label);
    const report: ImportReport = {
      file: this.label,
      opset: this.opset,
      irVersion: int64(this.model.ir_version),
      producer: [this.model.producer_name, this.model.producer_version].filter((s) => s).join(' '),
      nodes: graph.node.length,
      input: { name: inputName, dims },
      output: { name: outName },
      batch: this.batch,
      folded: this.folded,
      removed: this.removed,
      outputActivation: this.outputActivation,
    };
    return { spec, weights, report };
  }

  /**
   * Convert nodes from `start` until the value `until` (or the graph output when null).
   * `first` forces the first node (a branch of a fork). Returns the value reached.
   */
  private walk(start: string, until: string | null, first: NodeProto | undefined, items: Item[]): string {
    let cur = start;
    let forced = first;
    for (;;) {
      if (forced === undefined && (until !== null ? cur === until : this.graphOutputs.has(cur))) return cur;
      let node: NodeProto;
      if (forced !== undefined) {
        node = forced;
        forced = undefined;
      } else {
        const cons = this.consumers(cur);
        if (cons.length === 0) throw this.fail(`value '${cur}' is used by no node and is not the graph output`);
        if (cons.length === 1) {
          node = cons[0]!;
        } else {
          const silu = this.matchSilu(cur, cons);
          if (silu !== undefined) {
            items.push(silu.item);
            cur = silu.output;
          } else {
            cur = this.residual(cur, cons, items);
          }
          continue;
        }
      }
      cur = this.convert(node, cur, items);
    }
  }

  private visit(node: NodeProto): void {
    if (this.visited.has(node)) throw this.nodeFail(node, 'is reached twice; only sequential graphs with residual blocks are supported');
    this.visited.add(node);
  }

  /** x·Sigmoid(x), as PyTorch exports SiLU (the Mul may take its inputs in either order). */
  private matchSilu(cur: string, cons: NodeProto[]): { item: Item; output: string } | undefined {
    if (cons.length !== 2) return undefined;
    const sig = cons.find((n) => n.op_type === 'Sigmoid' && isDefaultDomain(n) && n.input[0] === cur);
    const mul = cons.find((n) => n.op_type === 'Mul' && isDefaultDomain(n));
    if (sig === undefined || mul === undefined) return undefined;
    const s = sig.output[0] ?? '';
    const ins = [...mul.input].sort();
    if (ins.length !== 2 || ins.join('\0') !== [cur, s].sort().join('\0')) return undefined;
    if (this.consumers(s).length !== 1 || this.graphOutputs.has(s)) return undefined;
    this.visit(sig);
    this.visit(mul);
    const output = this.set(mul, this.values.get(cur)!);
    const name = mul.name || undefined;
    return { item: { kind: 'layer', layer: { kind: 'activation', fn: 'silu', ...(name ? { name } : {}) }, params: {}, output, node: this.nodeName(mul) }, output };
  }

  /** Nodes reachable from `start` along data edges (start included). */
  private reach(start: NodeProto): Set<NodeProto> {
    const seen = new Set<NodeProto>([start]);
    const stack = [start];
    while (stack.length > 0) {
      const n = stack.pop()!;
      for (const out of n.output) {
        for (const c of this.consumers(out)) {
          if (!seen.has(c)) {
            seen.add(c);
            stack.push(c);
          }
        }
      }
    }
    return seen;
  }

  /** A fork at `cur`: both branches must merge in one Add (output = body + shortcut). */
  private residual(cur: string, cons: NodeProto[], items: Item[]): string {
    const names = cons.map((n) => `'${this.nodeName(n)}' (${n.op_type})`).join(', ');
    if (cons.length !== 2) {
      throw this.fail(`value '${cur}' feeds ${cons.length} nodes (${names}); only forks into two branches that merge in an Add (residual blocks) are supported`);
    }
    const [a, b] = cons as [NodeProto, NodeProto];
    const ra = this.reach(a);
    const rb = this.reach(b);
    let join: NodeProto | undefined;
    for (const n of this.graph.node) {
      if (ra.has(n) && rb.has(n)) {
        join = n;
        break;
      }
    }
    const joinIns = join?.input.filter((n) => n !== '') ?? [];
    if (join === undefined || !(join.op_type === 'Add' || join.op_type === 'Sum') || !isDefaultDomain(join) || joinIns.length !== 2) {
      const where = join === undefined ? 'never merge' : `merge in node '${this.nodeName(join)}' (${join.op_type})`;
      throw this.fail(`the two branches from value '${cur}' (into ${names}) ${where}; only branches merging in a two-input Add (residual blocks) are supported`);
    }
    // Which join input ends which branch: a branch that is the join itself is the identity.
    const endOf = (start: NodeProto, mine: Set<NodeProto>, other: Set<NodeProto>): string => {
      if (start === join) return cur;
      const end = joinIns.find((x) => {
        const p = this.producers.get(x);
        return p !== undefined && p !== join && mine.has(p) && !other.has(p);
      });
      if (end === undefined) throw this.nodeFail(join!, `cannot tell which of its inputs ends the branch starting at '${this.nodeName(start)}'`);
      return end;
    };
    const endA = endOf(a, ra, rb);
    const endB = endOf(b, rb, ra);
    if (endA === endB) throw this.nodeFail(join, 'adds a value to itself; expected a residual merge of two branches');
    const branch = (start: NodeProto, end: string): Item[] => {
      const list: Item[] = [];
      if (start !== join) this.walk(cur, end, start, list);
      return list;
    };
    const ia = branch(a, endA);
    const ib = branch(b, endB);
    const va = this.values.get(endA)!;
    const vb = this.values.get(endB)!;
    if (!sameValue(va, vb)) throw this.nodeFail(join, `adds ${describeValue(va)} to ${describeValue(vb)}; the branches must have the same shape`);
    this.visit(join);
    // The longer branch is the body; an empty one (identity) is always the shortcut.
    const [body, shortcut] = ib.length > ia.length ? [ib, ia] : [ia, ib];
    const output = this.set(join, va);
    items.push({ kind: 'residual', ...(join.name ? { name: join.name } : {}), body, shortcut, output });
    return output;
  }

  // ---------- node conversion ----------

  private convert(node: NodeProto, cur: string, items: Item[]): string {
    this.visit(node);
    const op = node.op_type ?? '';
    if (!isDefaultDomain(node)) throw this.nodeFail(node, `ops of domain '${node.domain}' are not supported (only the default ai.onnx domain)`);
    const name = node.name || undefined;
    const named = name ? { name } : {};
    const push: Push = (layer, params = {}) => {
      items.push({ kind: 'layer', layer, params, output: node.output[0] ?? '', node: this.nodeName(node) });
    };
    const activation = (fn: 'relu' | 'relu6' | 'sigmoid' | 'silu' | 'tanh' | 'leakyRelu', alpha?: number): string => {
      this.checkDataInputs(node, cur);
      // Relu then Clip(0, 6) (how opset ≥ 11 exports ReLU6) is one neuron layer, not two.
      const prev = items.at(-1);
      if (prev?.kind === 'layer' && prev.output === cur && prev.layer.kind === 'activation') {
        const pair = `${prev.layer.fn}>${fn}`;
        const merged = pair === 'relu>relu' ? 'relu' : pair === 'relu>relu6' || pair === 'relu6>relu' || pair === 'relu6>relu6' ? 'relu6' : undefined;
        if (merged !== undefined) {
          prev.layer = { ...prev.layer, fn: merged };
          prev.output = node.output[0] ?? '';
          this.folded.push({ node: this.nodeName(node), opType: op, into: prev.node });
          return this.set(node, this.valueOf(node, cur));
        }
      }
      push({ kind: 'activation', fn, ...named, ...(alpha !== undefined ? { alpha } : {}) });
      return this.set(node, this.valueOf(node, cur));
    };
    const remove = (reason: string): string => {
      this.checkDataInputs(node, cur);
      this.removed.push({ node: this.nodeName(node), opType: op, reason });
      return this.set(node, this.valueOf(node, cur));
    };

    switch (op) {
      case 'Conv':
        return this.conv(node, cur, push, named);
      case 'Gemm':
        return this.gemm(node, cur, push, named);
      case 'MatMul':
        return this.matMul(node, cur, items, named);
      case 'Relu':
        return activation('relu');
      case 'Sigmoid':
        return activation('sigmoid');
      case 'Tanh':
        return activation('tanh');
      case 'SiLU':
        return activation('silu');
      case 'Swish': {
        const alpha = this.floatAttr(node, 'alpha', 1);
        if (alpha !== 1) throw this.nodeFail(node, `alpha=${alpha} is not supported (Swish with alpha=1, i.e. SiLU, only)`);
        return activation('silu');
      }
      case 'LeakyRelu':
        return activation('leakyRelu', this.floatAttr(node, 'alpha', 0.01));
      case 'Clip': {
        const lo = this.opset < 11 ? this.floatAttr(node, 'min', -Infinity) : (this.scalarInput(node, 1) ?? -Infinity);
        const hi = this.opset < 11 ? this.floatAttr(node, 'max', Infinity) : (this.scalarInput(node, 2) ?? Infinity);
        if (lo === 0 && hi === 6) return activation('relu6');
        if (lo === 0 && (hi === Infinity || hi >= 3.4e38)) return activation('relu');
        throw this.nodeFail(node, `Clip(min=${lo}, max=${hi}) is not supported (only Clip(0, 6) as ReLU6 and Clip(0, ∞) as ReLU)`);
      }
      case 'MaxPool':
      case 'AveragePool':
        return this.pool(node, cur, push, named);
      case 'GlobalAveragePool': {
        this.checkDataInputs(node, cur);
        const x = this.image(node, cur);
        push({ kind: 'globalAvgPool', ...named });
        return this.set(node, { kind: 'flat', n: x.c, rank: 4 });
      }
      case 'ReduceMean':
        return this.reduceMean(node, cur, push, named);
      case 'BatchNormalization':
        return this.batchNorm(node, cur, items, named);
      case 'Flatten': {
        this.checkDataInputs(node, cur);
        const v = this.valueOf(node, cur);
        const rank = v.kind === 'image' ? 4 : v.rank;
        const axisRaw = this.intAttr(node, 'axis', 1);
        const axis = axisRaw < 0 ? axisRaw + rank : axisRaw;
        if (axis !== 1) throw this.nodeFail(node, `axis=${axisRaw} is not supported (Flatten with axis=1, keeping the batch, only)`);
        return this.flatten(node, cur, push, named);
      }
      case 'Reshape':
        return this.reshape(node, cur, push, named);
      case 'Dropout': {
        const training = (node.input[2] ?? '') !== '' ? this.scalarInput(node, 2) : 0;
        if (training) throw this.nodeFail(node, 'training_mode=true is not supported (inference graphs only)');
        this.onlyFirstOutputUsed(node, 'mask');
        return remove('no-op at inference');
      }
      case 'Identity':
        return remove('identity');
      case 'Pad': {
        const pads = this.opset < 11 ? (this.intsAttr(node, 'pads') ?? []) : Array.from(this.staticValue(node.input[1] ?? '', node).data as ArrayLike<Sym>, Number);
        if (pads.some((p) => p !== 0)) throw this.nodeFail(node, `pads [${pads}] are not supported (only an all-zero Pad, as PyTorch emits before a ceil-mode AveragePool)`);
        return remove('all-zero padding');
      }
      case 'Softmax':
      case 'LogSoftmax': {
        this.checkDataInputs(node, cur);
        const out = node.output[0] ?? '';
        const v = this.valueOf(node, cur);
        const axisRaw = this.intAttr(node, 'axis', this.opset >= 13 ? -1 : 1);
        const lastAxis = v.kind === 'flat' && v.rank === 2 && (axisRaw === 1 || axisRaw === -1);
        if (!this.graphOutputs.has(out) || !lastAxis) {
          throw this.nodeFail(node, `${op} is supported only as the final node over the class axis (removed: spikelite outputs logits)`);
        }
        this.outputActivation = op === 'Softmax' ? 'softmax' : 'logSoftmax';
        return remove('final softmax removed: the spec outputs logits');
      }
      case 'Add':
      case 'Sum':
        throw this.nodeFail(node, `${op} is supported only where two branches of one value merge (a residual block), or as the bias right after a MatMul`);
      case 'Mul':
        throw this.nodeFail(node, 'Mul is supported only as x·Sigmoid(x) (SiLU)');
      default:
        throw this.nodeFail(node, `op ${op} is not supported (supported: ${SUPPORTED_OPS.join(', ')})`);
    }
  }

  private conv(node: NodeProto, cur: string, push: Push, named: Named): string {
    this.checkDataInputs(node, cur);
    const x = this.image(node, cur);
    const w = this.weight(node, 1, 'weight');
    if (w.dims.length !== 4) throw this.nodeFail(node, `weight dims [${w.dims}]: only 2-D convolutions are supported`);
    const [outC, inPerGroup, kh, kw] = w.dims as [number, number, number, number];
    const group = this.intAttr(node, 'group', 1);
    if (group !== 1) throw this.nodeFail(node, `group=${group} is not supported (groups=1 only)`);
    if (inPerGroup !== x.c) throw this.nodeFail(node, `weight expects ${inPerGroup} input channels, the input has ${x.c}`);
    const ks = this.intsAttr(node, 'kernel_shape');
    if (ks !== undefined && (ks[0] !== kh || ks[1] !== kw)) throw this.nodeFail(node, `kernel_shape [${ks}] does not match the weight's [${kh}, ${kw}]`);
    const [sh, sw] = pairOf(this.intsAttr(node, 'strides'), 1);
    const [dh, dw] = pairOf(this.intsAttr(node, 'dilations'), 1);
    const autoPadMode = this.stringAttr(node, 'auto_pad', 'NOTSET');
    let pads: [number, number, number, number];
    if (autoPadMode === 'NOTSET') {
      const p = this.intsAttr(node, 'pads') ?? [0, 0, 0, 0];
      if (p.length !== 4) throw this.nodeFail(node, `pads [${p}]: expected 4 values for a 2-D convolution`);
      pads = p as [number, number, number, number];
    } else if (autoPadMode === 'VALID') {
      pads = [0, 0, 0, 0];
    } else if (autoPadMode === 'SAME_UPPER' || autoPadMode === 'SAME_LOWER') {
      const lower = autoPadMode === 'SAME_LOWER';
      const [t, b] = autoPad(x.h, kh, sh, dh, lower);
      const [l, r] = autoPad(x.w, kw, sw, dw, lower);
      pads = [t, l, b, r];
    } else {
      throw this.nodeFail(node, `auto_pad=${autoPadMode} is not supported (NOTSET, VALID, SAME_UPPER, SAME_LOWER)`);
    }
    const [top, left, bottom, right] = pads;
    if (pads.some((p) => p < 0)) throw this.nodeFail(node, `negative pads [${pads}] are not supported`);
    const oh = Math.floor((x.h + top + bottom - ((kh - 1) * dh + 1)) / sh) + 1;
    const ow = Math.floor((x.w + left + right - ((kw - 1) * dw + 1)) / sw) + 1;
    if (oh < 1 || ow < 1) throw this.nodeFail(node, `the kernel does not fit the ${x.h}x${x.w} input`);
    // OIHW → HWIO.
    const kernel = new Float32Array(w.data.length);
    for (let o = 0; o < outC; o++)
      for (let i = 0; i < inPerGroup; i++)
        for (let y = 0; y < kh; y++)
          for (let z = 0; z < kw; z++) kernel[((y * kw + z) * inPerGroup + i) * outC + o] = w.data[((o * inPerGroup + i) * kh + y) * kw + z]!;
    const b = this.optionalWeight(node, 2, 'bias');
    if (b && b.data.length !== outC) throw this.nodeFail(node, `bias has ${b.data.length} values, expected ${outC}`);
    push(
      {
        kind: 'conv2d',
        ...named,
        filters: outC,
        kernelSize: kh === kw ? kh : [kh, kw],
        strides: sh === sw ? sh : [sh, sw],
        padding: pads.every((p) => p === 0) ? 'valid' : { top, bottom, left, right },
        dilations: dh === dw ? dh : [dh, dw],
        useBias: b !== undefined,
      },
      b ? { kernel, bias: b.data } : { kernel },
    );
    return this.set(node, { kind: 'image', c: outC, h: oh, w: ow });
  }

  /** [in, out] kernel from ONNX rows, reordered when the input is a flattened NCHW image. */
  private linearKernel(x: Extract<Value, { kind: 'flat' }>, rows: number, cols: number, at: (r: number, c: number) => number): Float32Array {
    const kernel = new Float32Array(rows * cols);
    const map = x.chw ? hwcToChw(x.chw) : undefined;
    for (let j = 0; j < rows; j++) {
      const r = map ? map[j]! : j;
      for (let c = 0; c < cols; c++) kernel[j * cols + c] = at(r, c);
    }
    return kernel;
  }

  private gemm(node: NodeProto, cur: string, push: Push, named: Named): string {
    if (node.input[0] !== cur) throw this.nodeFail(node, 'only the first (A) input may be computed; B and C must be constants');
    this.checkDataInputs(node, cur);
    const x = this.flat(node, cur);
    if (this.intAttr(node, 'transA', 0) !== 0) throw this.nodeFail(node, 'transA=1 is not supported');
    const transB = this.intAttr(node, 'transB', 0) !== 0;
    const alpha = this.floatAttr(node, 'alpha', 1);
    const beta = this.floatAttr(node, 'beta', 1);
    const w = this.weight(node, 1, 'B');
    if (w.dims.length !== 2) throw this.nodeFail(node, `B has dims [${w.dims}], expected 2-D`);
    const [k, m] = transB ? [w.dims[1]!, w.dims[0]!] : [w.dims[0]!, w.dims[1]!];
    if (k !== x.n) throw this.nodeFail(node, `B expects ${k} input features, the input has ${x.n}`);
    const kernel = this.linearKernel(x, k, m, (r, c) => alpha * (transB ? w.data[c * k + r]! : w.data[r * m + c]!));
    const c = this.optionalWeight(node, 2, 'C');
    let bias: Float32Array | undefined;
    if (c) {
      if (c.data.length !== m && c.data.length !== 1) throw this.nodeFail(node, `C has ${c.data.length} values; expected ${m} (or 1, broadcast)`);
      bias = Float32Array.from({ length: m }, (_, j) => beta * (c.data.length === 1 ? c.data[0]! : c.data[j]!));
    }
    push({ kind: 'linear', ...named, units: m, useBias: bias !== undefined }, bias ? { kernel, bias } : { kernel });
    return this.set(node, { kind: 'flat', n: m, rank: 2 });
  }

  private matMul(node: NodeProto, cur: string, items: Item[], named: Named): string {
    if (node.input[0] !== cur) throw this.nodeFail(node, 'only x·W with a constant W is supported');
    this.checkDataInputs(node, cur);
    const x = this.flat(node, cur);
    const w = this.weight(node, 1, 'weight');
    if (w.dims.length !== 2 || w.dims[0] !== x.n) throw this.nodeFail(node, `weight dims [${w.dims}] do not fit the input ${describeValue(x)}; expected [${x.n}, units]`);
    const m = w.dims[1]!;
    const kernel = this.linearKernel(x, x.n, m, (r, c) => w.data[r * m + c]!);
    let output = node.output[0] ?? '';
    let bias: Float32Array | undefined;
    // MatMul then Add(constant): PyTorch's form of x @ W + b.
    const next = this.consumers(output);
    const add = next.length === 1 && !this.graphOutputs.has(output) ? next[0]! : undefined;
    if (add && add.op_type === 'Add' && isDefaultDomain(add)) {
      const other = add.input.find((n) => n !== output);
      if (other !== undefined && add.input.length === 2 && this.isStatic(other)) {
        const v = this.staticValue(other, add);
        if (v.data instanceof Float32Array && (v.data.length === m || v.data.length === 1) && v.dims.length <= 2) {
          bias = Float32Array.from({ length: m }, (_, j) => (v.data.length === 1 ? v.data[0] : v.data[j]) as number);
          this.visit(add);
          this.folded.push({ node: this.nodeName(add), opType: 'Add', into: this.nodeName(node) });
          this.values.set(output, { kind: 'flat', n: m, rank: 2 });
          output = add.output[0] ?? '';
        }
      }
    }
    items.push({ kind: 'layer', layer: { kind: 'linear', ...named, units: m, useBias: bias !== undefined }, params: bias ? { kernel, bias } : { kernel }, output, node: this.nodeName(node) });
    this.values.set(output, { kind: 'flat', n: m, rank: 2 });
    return output;
  }

  private pool(node: NodeProto, cur: string, push: Push, named: Named): string {
    this.checkDataInputs(node, cur);
    const op = node.op_type as 'MaxPool' | 'AveragePool';
    const x = this.image(node, cur);
    const ks = this.intsAttr(node, 'kernel_shape');
    if (ks === undefined || ks.length !== 2) throw this.nodeFail(node, `kernel_shape [${ks ?? ''}]: only 2-D pooling is supported`);
    const [kh, kw] = ks as [number, number];
    const [sh, sw] = pairOf(this.intsAttr(node, 'strides'), 1);
    const dil = this.intsAttr(node, 'dilations');
    if (dil !== undefined && dil.some((d) => d !== 1)) throw this.nodeFail(node, `dilations [${dil}] are not supported (1 only)`);
    if (this.intAttr(node, 'storage_order', 0) !== 0) throw this.nodeFail(node, 'storage_order=1 is not supported');
    if (op === 'MaxPool') this.onlyFirstOutputUsed(node, 'indices');
    const ceil = this.intAttr(node, 'ceil_mode', 0) !== 0;
    const mode = this.stringAttr(node, 'auto_pad', 'NOTSET');
    let pads: number[];
    if (mode === 'NOTSET') pads = this.intsAttr(node, 'pads') ?? [0, 0, 0, 0];
    else if (mode === 'VALID') pads = [0, 0, 0, 0];
    else if (mode === 'SAME_UPPER' || mode === 'SAME_LOWER') {
      const [t, b] = autoPad(x.h, kh, sh, 1, mode === 'SAME_LOWER');
      const [l, r] = autoPad(x.w, kw, sw, 1, mode === 'SAME_LOWER');
      pads = [t, l, b, r];
    } else throw this.nodeFail(node, `auto_pad=${mode} is not supported`);
    const [top, left, bottom, right] = pads as [number, number, number, number];
    const oh = poolOut(x.h, kh, sh, top, bottom, ceil);
    const ow = poolOut(x.w, kw, sw, left, right, ceil);
    if (oh < 1 || ow < 1) throw this.nodeFail(node, `the ${kh}x${kw} window does not fit the ${x.h}x${x.w} input`);
    let padding: 'valid' | 'same';
    if (pads.every((p) => p === 0)) {
      padding = 'valid';
    } else {
      // spikelite pools pad 'same' only (tfjs SAME: the odd pixel at the end), so explicit pads must equal it.
      const [st, sb] = autoPad(x.h, kh, sh, 1, false);
      const [sl, sr] = autoPad(x.w, kw, sw, 1, false);
      const same = top === st && bottom === sb && left === sl && right === sr && oh === Math.ceil(x.h / sh) && ow === Math.ceil(x.w / sw);
      if (!same) {
        throw this.nodeFail(node, `pads [${pads}] on a ${x.h}x${x.w} input are not supported: pooling padding must be none or SAME (here pads [${st}, ${sl}, ${sb}, ${sr}])`);
      }
      if (op === 'AveragePool' && this.intAttr(node, 'count_include_pad', 0) !== 0) {
        throw this.nodeFail(node, 'count_include_pad=1 with padding is not supported (padded zeros are excluded from the average)');
      }
      padding = 'same';
    }
    const common = { ...named, poolSize: kh === kw ? kh : ([kh, kw] as [number, number]), strides: sh === sw ? sh : ([sh, sw] as [number, number]), padding, ceilMode: ceil && padding === 'valid' };
    push(op === 'MaxPool' ? { kind: 'maxPool', ...common } : { kind: 'avgPool', ...common, countIncludePad: false });
    return this.set(node, { kind: 'image', c: x.c, h: oh, w: ow });
  }

  private reduceMean(node: NodeProto, cur: string, push: Push, named: Named): string {
    const x = this.image(node, cur);
    let axes: number[] | undefined;
    if (this.opset >= 18) {
      if ((node.input[1] ?? '') !== '') {
        const v = this.staticValue(node.input[1]!, node);
        axes = Array.from(v.data as ArrayLike<Sym>, Number);
      }
    } else {
      axes = this.intsAttr(node, 'axes');
    }
    this.checkDataInputs(node, cur);
    const norm = [...new Set((axes ?? []).map((a) => (a < 0 ? a + 4 : a)))].sort();
    if (norm.join() !== '2,3') throw this.nodeFail(node, `axes [${axes ?? 'all'}] are not supported (the mean over H and W, axes [2, 3], only)`);
    const keep = this.intAttr(node, 'keepdims', 1) !== 0;
    push({ kind: 'globalAvgPool', ...named });
    return this.set(node, { kind: 'flat', n: x.c, rank: keep ? 4 : 2 });
  }

  private batchNorm(node: NodeProto, cur: string, items: Item[], named: Named): string {
    this.checkDataInputs(node, cur);
    if (node.input[0] !== cur) throw this.nodeFail(node, 'its data input must be X');
    if (this.intAttr(node, 'training_mode', 0) !== 0) throw this.nodeFail(node, 'training_mode=1 is not supported (inference graphs only)');
    if (this.intAttr(node, 'spatial', 1) !== 1) throw this.nodeFail(node, 'spatial=0 is not supported');
    this.onlyFirstOutputUsed(node, 'running-statistics');
    const v = this.valueOf(node, cur);
    const channels = v.kind === 'image' ? v.c : v.n;
    const [gamma, beta, mean, variance] = (['scale', 'B', 'mean', 'var'] as const).map((what, i) => {
      const t = this.weight(node, i + 1, what);
      if (t.data.length !== channels) throw this.nodeFail(node, `${what} has ${t.data.length} values, expected ${channels}`);
      return t.data;
    }) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const eps = this.floatAttr(node, 'epsilon', 1e-5);
    const prev = items.at(-1);
    if (this.foldBn && prev?.kind === 'layer' && prev.output === cur && (prev.layer.kind === 'conv2d' || prev.layer.kind === 'linear')) {
      // W' = W·γ/√(σ²+ε) per output channel; b' = (b − μ)·γ/√(σ²+ε) + β.
      const kernel = prev.params.kernel!;
      const scale = Float32Array.from(gamma, (g, i) => g / Math.sqrt(variance[i]! + eps));
      const out = scale.length;
      const k = new Float32Array(kernel.length);
      for (let i = 0; i < kernel.length; i++) k[i] = kernel[i]! * scale[i % out]!;
      const b = prev.params.bias;
      const bias = Float32Array.from(scale, (s, i) => ((b?.[i] ?? 0) - mean[i]!) * s + beta[i]!);
      prev.params = { kernel: k, bias };
      prev.layer = { ...prev.layer, useBias: true };
      prev.output = node.output[0] ?? '';
      this.folded.push({ node: this.nodeName(node), opType: 'BatchNormalization', into: prev.node });
      return this.set(node, v);
    }
    // Per-feature parameters of a flattened NCHW image follow spikelite's (h, w, c) order.
    const order = v.kind === 'flat' && v.chw ? hwcToChw(v.chw) : undefined;
    const perm = (a: Float32Array): Float32Array => (order ? Float32Array.from(order, (r) => a[r]!) : a);
    // ONNX momentum weights the running value (Keras); spikelite's weights the batch (PyTorch).
    const momentum = 1 - this.floatAttr(node, 'momentum', 0.9);
    items.push({
      kind: 'layer',
      layer: { kind: 'batchNorm', ...named, epsilon: eps, momentum: Math.min(Math.max(momentum, 0), 1) },
      params: { gamma: perm(gamma), beta: perm(beta), mean: perm(mean), variance: perm(variance) },
      output: node.output[0] ?? '',
      node: this.nodeName(node),
    });
    return this.set(node, v);
  }

  /** Flatten or Reshape-as-flatten of the data value. */
  private flatten(node: NodeProto, cur: string, push: Push, named: Named): string {
    const v = this.valueOf(node, cur);
    if (v.kind === 'flat') {
      // Already flat in spikelite ([N, C] after a pooling, or [N, n]): nothing to do.
      this.removed.push({ node: this.nodeName(node), opType: node.op_type ?? '', reason: 'no-op: the value is already flat' });
      return this.set(node, { kind: 'flat', n: v.n, rank: 2, chw: v.chw });
    }
    push({ kind: 'flatten', ...named });
    const chw = v.c > 1 && v.h * v.w > 1 ? ([v.c, v.h, v.w] as const) : undefined;
    return this.set(node, { kind: 'flat', n: v.c * v.h * v.w, rank: 2, chw });
  }

  private reshape(node: NodeProto, cur: string, push: Push, named: Named): string {
    if (node.input[0] !== cur) throw this.nodeFail(node, 'the shape input must be a constant');
    const shapeName = node.input[1] ?? '';
    if (!this.isStatic(shapeName)) throw this.nodeFail(node, `its shape '${shapeName}' is computed from data; only constant shapes (or shapes of the batch) are supported`);
    this.checkDataInputs(node, cur);
    const target = Array.from(this.staticValue(shapeName, node).data as ArrayLike<Sym>);
    const v = this.valueOf(node, cur);
    const total = v.kind === 'image' ? v.c * v.h * v.w : v.n;
    const allowZero = this.intAttr(node, 'allowzero', 0) !== 0;
    const [s0, s1] = target;
    const batchOk = s0 === 'N' || (s0 === 0 && !allowZero) || s0 === -1 || (typeof this.batch === 'number' && s0 === this.batch);
    const featOk = s1 === -1 || s1 === total;
    if (target.length !== 2 || !batchOk || !featOk || (s0 === -1 && s1 !== total)) {
      throw this.nodeFail(node, `Reshape to [${target.join(', ')}] of ${describeValue(v)} is not supported (only a flatten to [N, -1])`);
    }
    return this.flatten(node, cur, push, named);
  }
}

type Named = { name?: string };
type Push = (layer: LeafLayer, params?: Partial<Record<ParamKey, Float32Array>>) => void;

function isDefaultDomain(node: NodeProto): boolean {
  return node.domain === undefined || node.domain === '' || node.domain === 'ai.onnx';
}

function pairOf(v: number[] | undefined, def: number): [number, number] {
  if (v === undefined || v.length === 0) return [def, def];
  return [v[0]!, v[1] ?? v[0]!];
}

/** Items → spec layers; weights are named by spec path like compileGraph names them. */
function finalize(items: Item[], prefix: string, weights: Map<string, Float32Array>): LayerInput[] {
  return items.map((item, i) => {
    const path = `${prefix}.${i}`;
    if (item.kind === 'residual') {
      return {
        kind: 'residual',
        ...(item.name ? { name: item.name } : {}),
        body: finalize(item.body, `${path}.body`, weights),
        shortcut: finalize(item.shortcut, `${path}.shortcut`, weights),
      };
    }
    for (const [key, value] of Object.entries(item.params)) weights.set(`${path}.${key}`, value);
    return item.layer;
  });
}

/** Every parameter the spec creates has a value of its size, and no value is left over. */
function checkWeights(spec: ModelSpec, weights: Map<string, Float32Array>, label: string): void {
  const params = compileGraph(spec).params;
  for (const p of params) {
    const v = weights.get(p.name);
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (v === undefined || v.length !== size) {
      throw new OnnxImportError(`${label}: internal error: parameter '${p.name}' [${p.shape}] has ${v?.length ?? 'no'} values`, label);
    }
  }
  if (params.length !== weights.size) throw new OnnxImportError(`${label}: internal error: ${weights.size} weights for ${params.length} parameters`, label);
}

function readSource(source: string | Uint8Array, label: string): Uint8Array {
  if (typeof source !== 'string') return source;
  try {
    return readFileSync(source);
  } catch (e) {
    throw new OnnxImportError(`${label}: cannot read the file (${e instanceof Error ? e.message : String(e)})`, label);
  }
}

/** Decode ONNX bytes, naming the file in the error. */
export function readModel(source: string | Uint8Array, label = typeof source === 'string' ? source : '<bytes>'): ModelProto {
  const bytes = readSource(source, label);
  if (bytes.length === 0) throw new OnnxImportError(`${label}: the file is empty`, label);
  try {
    return decodeModel(bytes);
  } catch (e) {
    throw new OnnxImportError(
      `${label}: not a readable ONNX model (${e instanceof Error ? e.message : String(e)}); the file may be truncated or not ONNX`,
      label,
    );
  }
}

/**
 * Import an ONNX image classifier (a path or the file's bytes). Throws OnnxImportError for
 * unreadable files and anything outside the supported subset; see the package README.
 */
export function importOnnx(source: string | Uint8Array, options: ImportOptions = {}): OnnxImport {
  const label = options.label ?? (typeof source === 'string' ? source : '<bytes>');
  const model = readModel(source, label);
  try {
    return new Importer(model, label, options.foldBatchNorm ?? true).run();
  } catch (e) {
    if (e instanceof OnnxImportError) throw e;
    // A decoded-but-corrupt file can trip anything (missing fields, bad tensors): still one named error.
    throw new OnnxImportError(`${label}: ${e instanceof Error ? e.message : String(e)}`, label);
  }
}

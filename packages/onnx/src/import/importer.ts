/**
 * Walks an ONNX graph in node order. A node whose inputs are all constants (or Shape of a value
 * whose shape is known) is evaluated at import time (static.ts); every other node goes to its
 * op handler (ops/), which emits spikelite layers into the IR. Then passes (passes.ts) fold and
 * fuse, and `toSpec` writes the ModelSpec. The walker knows no op semantics; anything wrong is
 * one OnnxImportError naming the file, the node and the op; nothing half-imported escapes.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { INPUT_REF, type InputShape } from '@spikelite/schemas';
import { OnnxImportError } from '../errors.js';
import { int64, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from '../proto.js';
import { dtypeName } from '../tensor.js';
import { OpContext, type GraphState } from './context.js';
import { Ir, toSpec } from './ir.js';
import { opRegistry } from './ops/index.js';
import { runPasses } from './passes.js';
import type { ImportReport } from './report.js';
import { evalStatic, fromTensor, STATIC_OP_TYPES, type StaticContext, type StaticValue } from './static.js';
import { spikeliteShape, type DataValue } from './values.js';

export interface ImportOptions {
  /**
   * Fold each BatchNormalization into the Conv/Gemm/MatMul before it, else make it an `affine`
   * layer (default true); false keeps trainable `batchNorm` layers (on channel-last values).
   */
  foldBatchNorm?: boolean;
  /** How errors name the model when bytes are given (default '<bytes>'). */
  label?: string;
  /**
   * Sizes of the input's dynamic axes after the batch (e.g. [3, 224, 224] for CxHxW); every
   * axis of the file's input that has no fixed size must be given.
   */
  inputShape?: readonly number[];
  /**
   * 'leading' (default): the input's first axis is the batch. 'none': the graph is one sample
   * with fixed shapes (ONNX's operator tests), run with a batch of one.
   */
  batch?: 'leading' | 'none';
  /** Graph inputs other than the data input, given as constants (name → dims and values). */
  bind?: Readonly<Record<string, { dims: readonly number[]; data: Float32Array | readonly number[] }>>;
  /** Folder of external tensor data (default: the model file's folder). */
  baseDir?: string;
  /**
   * Keep a final Softmax/LogSoftmax (default false: a classifier's final softmax is removed, so
   * the model outputs logits, as an SNN's output membrane does).
   */
  keepFinalSoftmax?: boolean;
  /**
   * Per-channel input normalisation the model expects (torchvision: ImageNet mean and std):
   * an `affine` first layer computing (x − mean) / std, so the network takes raw pixels in [0, 1].
   */
  normalize?: { readonly mean: readonly number[]; readonly std: readonly number[] };
  /**
   * The value to import as the model's output: a graph output's name, or any value inside the
   * graph (a backbone cut at a layer). Default: the graph's only output.
   */
  output?: string;
}

export interface OnnxImport {
  spec: import('@spikelite/schemas').ModelSpec;
  /** Parameter values by the names `Network.create(spec)` gives them (`layers.0.kernel`, ...). */
  weights: Map<string, Float32Array>;
  report: ImportReport;
}

/** Opsets whose semantics for the supported ops are handled. */
export const SUPPORTED_OPSETS = { min: 1, max: 24 } as const;

const isDefaultDomain = (node: NodeProto): boolean => node.domain === undefined || node.domain === '' || node.domain === 'ai.onnx';

/** Reads external tensor data (`location`, `offset`, `length`) relative to `baseDir`. */
function externalReader(baseDir: string | undefined, label: string): ((t: TensorProto) => Uint8Array) | undefined {
  if (baseDir === undefined) return undefined;
  const files = new Map<string, Uint8Array>();
  return (t) => {
    const kv = new Map(t.external_data.map((e) => [e.key ?? '', e.value ?? '']));
    const location = kv.get('location');
    if (!location) throw new Error(`tensor '${t.name}' has external data without a location`);
    const path = join(baseDir, location);
    let bytes = files.get(path);
    if (bytes === undefined) {
      try {
        bytes = readFileSync(path);
      } catch (e) {
        throw new Error(`tensor '${t.name}': cannot read its external data file '${path}' (${e instanceof Error ? e.message : String(e)}) next to ${label}`, { cause: e });
      }
      files.set(path, bytes);
    }
    const offset = Number(kv.get('offset') ?? 0);
    const length = kv.has('length') ? Number(kv.get('length')) : bytes.length - offset;
    if (offset + length > bytes.length) throw new Error(`tensor '${t.name}': external data ${path} holds ${bytes.length} bytes, offset ${offset} + length ${length} is past its end`);
    return bytes.subarray(offset, offset + length);
  };
}

function countUses(graph: GraphProto): Map<string, number> {
  const uses = new Map<string, number>();
  const add = (n: string): void => void uses.set(n, (uses.get(n) ?? 0) + 1);
  for (const node of graph.node) for (const i of node.input) if (i !== '') add(i);
  for (const o of graph.output) add(o.name ?? '');
  return uses;
}

class Walker {
  private readonly graph: GraphProto;
  private readonly opset: number;
  private readonly state: GraphState;
  private readonly nodeIndex = new Map<NodeProto, number>();
  private finalSoftmax: ImportReport['outputActivation'] = null;
  /** The Transposes that turn an NHWC input into NCHW: skipped. */
  private readonly nhwcTransposes = new Set<NodeProto>();
  private readonly external: ((t: TensorProto) => Uint8Array) | undefined;

  constructor(
    private readonly model: ModelProto,
    private readonly label: string,
    private readonly options: ImportOptions,
    source: string | Uint8Array,
  ) {
    const graph = model.graph;
    if (graph === undefined || graph === null || graph.node.length === 0) throw this.fail('not an ONNX model: it has no graph (is the file truncated, or not ONNX?)');
    this.graph = graph;
    const ai = model.opset_import.find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
    if (ai === undefined) throw this.fail('the model imports no ai.onnx opset (is the file truncated, or not ONNX?)');
    this.opset = int64(ai.version);
    if (this.opset < SUPPORTED_OPSETS.min || this.opset > SUPPORTED_OPSETS.max) {
      throw this.fail(`opset ${this.opset} is not supported (supported: ${SUPPORTED_OPSETS.min}–${SUPPORTED_OPSETS.max})`);
    }
    this.external = externalReader(options.baseDir ?? (typeof source === 'string' ? dirname(source) : undefined), label);
    graph.node.forEach((n, i) => this.nodeIndex.set(n, i));
    const report: ImportReport = {
      file: label,
      opset: this.opset,
      irVersion: int64(model.ir_version),
      producer: [model.producer_name, model.producer_version].filter(Boolean).join(' '),
      nodes: graph.node.length,
      input: { name: '', dims: [], dtype: 'FLOAT' },
      output: { name: '', dims: [], layout: 'plain' },
      batch: 'dynamic',
      folded: [],
      removed: [],
      fused: [],
      outputActivation: null,
      normalize: options.normalize ? { mean: [...options.normalize.mean], std: [...options.normalize.std] } : null,
    };
    this.state = {
      ir: new Ir([]),
      opset: this.opset,
      batched: (options.batch ?? 'leading') === 'leading',
      batchSize: 'dynamic',
      label,
      values: new Map(),
      statics: new Map(),
      graphOutputs: new Set(options.output !== undefined ? [options.output] : graph.output.map((o) => o.name ?? '')),
      uses: countUses(graph),
      report,
      nodeName: (n) => this.nodeName(n),
    };
  }

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

  /** Constants: initializers and bound inputs. */
  private loadConstants(): void {
    for (const t of this.graph.initializer) {
      try {
        this.state.statics.set(t.name ?? '', fromTensor(t, this.external));
      } catch (e) {
        throw this.fail(`initializer '${t.name}': ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    for (const [name, v] of Object.entries(this.options.bind ?? {})) {
      if (!this.graph.input.some((i) => i.name === name)) throw this.fail(`bind: the graph has no input '${name}'`);
      this.state.statics.set(name, { dims: [...v.dims], data: v.data instanceof Float32Array ? v.data : [...v.data] });
    }
  }

  /** The data input: its spikelite InputShape and value. */
  private setupInput(): InputShape {
    const g = this.graph;
    const inputs = g.input.filter((i) => !this.state.statics.has(i.name ?? ''));
    if (inputs.length !== 1) throw this.fail(`expected one graph input, found ${inputs.length} (${inputs.map((i) => i.name).join(', ')})`);
    if (this.options.output === undefined && g.output.length !== 1) {
      throw this.fail(`expected one graph output, found ${g.output.length} (${g.output.map((o) => o.name).join(', ')}): choose one (output)`);
    }
    const input = inputs[0]!;
    const name = input.name ?? '';
    const tt = input.type?.tensor_type;
    // Integer images (uint8 pixels) run as float32 values: every op here is exact on small integers.
    const INPUT_TYPES = [1, 2, 3, 4, 5, 6, 7, 10, 11];
    if (tt?.elem_type !== undefined && !INPUT_TYPES.includes(tt.elem_type)) throw this.fail(`input '${name}' is ${dtypeName(tt.elem_type)}; supported: float and integer inputs (computed in float32)`);
    this.state.report.input.dtype = dtypeName(tt?.elem_type ?? 1);
    const dims: Array<number | string> = (tt?.shape?.dim ?? []).map((d) => (d.dim_param ? d.dim_param : d.dim_value !== undefined && d.dim_value !== null && int64(d.dim_value) > 0 ? int64(d.dim_value) : '?'));
    this.state.report.input = { name, dims, dtype: 'FLOAT' };
    const batched = this.state.batched;
    if (batched && dims.length < 2) throw this.fail(`input '${name}' has dims [${dims.join(', ')}]; expected a batch axis and at least one more (or batch 'none')`);
    const given = this.options.inputShape;
    const rest = batched ? dims.slice(1) : dims;
    if (given !== undefined && given.length !== rest.length) {
      throw this.fail(`inputShape [${given.join('x')}] has ${given.length} axes; input '${name}' has ${rest.length} after the batch (dims [${dims.join(', ')}])`);
    }
    const perImage = rest.map((d, i) => {
      const g2 = given?.[i];
      if (g2 !== undefined) {
        if (typeof d === 'number' && d !== g2) throw this.fail(`inputShape gives ${g2} on axis ${i + (batched ? 1 : 0)}, but input '${name}' fixes it at ${d}`);
        return g2;
      }
      if (typeof d !== 'number') {
        throw this.fail(`input '${name}' has a dynamic size on axis ${i + (batched ? 1 : 0)} ('${d}', dims [${dims.join(', ')}]): give the input shape (inputShape, --input-shape ${rest.join('x')})`);
      }
      return d;
    });
    if (batched) {
      const b = dims[0];
      this.state.batchSize = typeof b === 'number' ? b : 'dynamic';
      this.state.report.batch = this.state.batchSize;
    } else this.state.report.batch = 'none';
    const image = batched && perImage.length === 3;
    // An NHWC input (TensorFlow/Keras via tf2onnx) read only through Transpose(0, 3, 1, 2) is an
    // image as it is: spikelite's layout, so the transposes vanish.
    const readers = this.graph.node.filter((n) => n.input.includes(name));
    const nhwcInput =
      image && readers.length > 0 && readers.every((n) => n.op_type === 'Transpose' && n.input[0] === name && (new OpContext(n, this.state).ints('perm') ?? []).join() === '0,3,1,2');
    const onnx = nhwcInput ? [perImage[2]!, perImage[0]!, perImage[1]!] : perImage;
    const value: { -readonly [K in keyof DataValue]: DataValue[K] } = { ref: INPUT_REF, dims: onnx, layout: image ? 'nhwc' : 'plain' };
    const ir = new Ir(spikeliteShape(onnx, value.layout));
    (this.state as { ir: Ir }).ir = ir;
    const norm = this.options.normalize;
    if (norm !== undefined) {
      const c = onnx[0]!;
      const bad = (v: readonly number[]): boolean => v.length !== c && v.length !== 1;
      if (!image) throw this.fail(`normalize: the input '${name}' is not an image [N, C, H, W]`);
      if (bad(norm.mean) || bad(norm.std)) throw this.fail(`normalize: mean has ${norm.mean.length} values and std ${norm.std.length}; the input has ${c} channels (give ${c} or 1)`);
      if (norm.std.some((s) => !(s > 0))) throw this.fail(`normalize: std must be positive, got [${norm.std.join(', ')}]`);
      const at = (v: readonly number[], k: number): number => v[v.length === 1 ? 0 : k]!;
      const scale = Float32Array.from({ length: c }, (_, k) => 1 / at(norm.std, k));
      const bias = Float32Array.from({ length: c }, (_, k) => -at(norm.mean, k) / at(norm.std, k));
      const node = ir.emit({ kind: 'affine', shape: [c], scale: true, bias: true }, [INPUT_REF], { scale, bias }, { node: 'input normalisation', op: 'normalize' }, `${name}:normalized`);
      value.ref = node.id;
    }
    if (nhwcInput) {
      for (const n of readers) {
        this.nhwcTransposes.add(n);
        this.state.values.set(n.output[0] ?? '', value);
        this.state.report.removed.push({ node: this.nodeName(n), opType: 'Transpose', reason: 'NHWC input: spikelite images are NHWC already' });
      }
    } else this.state.values.set(name, value);
    return image ? { channels: onnx[0]!, height: onnx[1]!, width: onnx[2]! } : { shape: onnx };
  }

  private staticContext(node: NodeProto): StaticContext {
    const ctx = new OpContext(node, this.state);
    return {
      node,
      opset: this.opset,
      attr: (n) => ctx.attr(n),
      int: (n, d) => ctx.int(n, d),
      ints: (n) => ctx.ints(n),
      float: (n, d) => ctx.float(n, d),
      dataShape: (i) => ctx.fullShape(ctx.data(i)),
      ...(this.external ? { external: this.external } : {}),
    };
  }

  /** A node evaluated at import time, when it can be: constants in, or the shape of a known value. */
  private tryStatic(node: NodeProto): boolean {
    const op = node.op_type ?? '';
    if (!STATIC_OP_TYPES.has(op)) return false;
    const first = node.input[0] ?? '';
    if (op === 'Shape' || op === 'Size') {
      const v = this.state.statics.get(first);
      if (v !== undefined) {
        const out: StaticValue = op === 'Shape' ? { dims: [v.dims.length], data: v.dims } : { dims: [], data: [v.dims.reduce((a, b) => a * b, 1)] };
        this.state.statics.set(node.output[0] ?? '', out);
        this.state.report.removed.push({ node: this.nodeName(node), opType: op, reason: 'evaluated at import time' });
        return true;
      }
      return this.state.values.has(first) ? this.evaluate(node) : false;
    }
    return node.input.every((n) => n === '' || this.state.statics.has(n)) ? this.evaluate(node) : false;
  }

  private evaluate(node: NodeProto): boolean {
    let outs: StaticValue[];
    try {
      const inputs = node.input.map((n) => (n === '' ? undefined : this.state.statics.get(n)));
      outs = evalStatic(node.op_type ?? '', inputs, this.staticContext(node));
    } catch (e) {
      if (e instanceof OnnxImportError) throw e;
      throw this.nodeFail(node, `cannot evaluate it on its constant inputs: ${e instanceof Error ? e.message : String(e)}`);
    }
    node.output.forEach((o, i) => {
      if (o !== '' && outs[i] !== undefined) this.state.statics.set(o, outs[i]!);
    });
    if (node.op_type !== 'Constant') this.state.report.removed.push({ node: this.nodeName(node), opType: node.op_type ?? '', reason: 'evaluated at import time' });
    return true;
  }

  /** The nodes the output depends on (others, such as unused heads, are never imported). */
  private needed(output: string): Set<NodeProto> {
    const producer = new Map<string, NodeProto>();
    for (const n of this.graph.node) for (const o of n.output) if (o !== '') producer.set(o, n);
    const out = new Set<NodeProto>();
    const stack = [output];
    while (stack.length > 0) {
      const n = producer.get(stack.pop()!);
      if (n === undefined || out.has(n)) continue;
      out.add(n);
      stack.push(...n.input.filter((i) => i !== ''));
    }
    return out;
  }

  run(): OnnxImport {
    this.loadConstants();
    const input = this.setupInput();
    const registry = opRegistry(() => ({
      keepBatchNorm: this.options.foldBatchNorm === false,
      keepFinalSoftmax: this.options.keepFinalSoftmax === true,
      onFinalSoftmax: (k) => (this.finalSoftmax = k),
    }));
    const needed = this.needed(this.options.output ?? this.graph.output[0]!.name ?? '');
    for (const node of this.graph.node) {
      if (!needed.has(node)) continue;
      const op = node.op_type ?? '';
      if (!isDefaultDomain(node)) throw this.nodeFail(node, `ops of domain '${node.domain}' are not supported (ai.onnx ops only)`);
      if (this.nhwcTransposes.has(node)) continue;
      if (this.tryStatic(node)) continue;
      const handler = registry.get(op);
      if (handler === undefined) {
        const usesData = node.input.some((n) => this.state.values.has(n));
        if (!usesData && STATIC_OP_TYPES.has(op)) throw this.nodeFail(node, 'its inputs are not all known at import time');
        throw this.nodeFail(node, `op ${op} is not supported (supported: ${[...registry.keys()].sort().join(', ')}; constant subgraphs of ${[...STATIC_OP_TYPES].sort().join(', ')} are evaluated)`);
      }
      if (handler.sinceOpset !== undefined && this.opset < handler.sinceOpset) throw this.nodeFail(node, `opset ${this.opset} is older than this op's supported versions (from ${handler.sinceOpset})`);
      handler.import(new OpContext(node, this.state));
    }
    const outName = this.options.output ?? this.graph.output[0]!.name ?? '';
    const out = this.state.values.get(outName);
    if (out === undefined) {
      if (this.state.statics.has(outName)) throw this.fail(`the graph output '${outName}' does not depend on the input (it is a constant)`);
      throw this.fail(`the output '${outName}' is not computed by any node`);
    }
    const ir = this.state.ir;
    const report = this.state.report;
    report.outputActivation = this.finalSoftmax;
    const output = runPasses(ir, out.ref, report);
    const outShape = ir.shapeOf(output);
    report.output = { name: outName, dims: out.layout === 'nhwc' ? [outShape[2]!, outShape[0]!, outShape[1]!] : [...outShape], layout: out.layout };
    const classes = this.state.batched && outShape.length === 1 && output !== INPUT_REF ? outShape[0] : undefined;
    const name = this.graph.name || this.label.split(/[\\/]/).pop()!.replace(/\.onnx$/i, '');
    const { spec, weights } = toSpec(ir, output, { name, input, classes }, this.label);
    return { spec, weights, report };
  }
}

export function importModel(model: ModelProto, source: string | Uint8Array, label: string, options: ImportOptions): OnnxImport {
  return new Walker(model, label, options, source).run();
}

/**
 * The importer's intermediate graph: spikelite layers with named inputs and their weights, in
 * topological order. Op handlers emit into it; passes (passes.ts) rewrite it (fold BatchNorm
 * into convs, fuse activation patterns, drop no-ops); `toSpec` numbers the layers and names
 * their weights as `Network.create` will.
 */
import { INPUT_REF, Layer, layerOutputShape, ModelSpec, parseWith, type LayerInput, type Shape } from '@spikelite/schemas';

/** A layer without its name and inputs (the IR node holds those). */
export type LeafLayer = Exclude<Layer, { kind: 'residual' }>;
type LeafInput = Exclude<LayerInput, { kind: 'residual' }>;

export interface IrNode {
  /** Unique within the graph; the layer's name in the spec. */
  id: string;
  layer: LeafLayer;
  /** Node ids, or INPUT_REF for the network input. */
  inputs: string[];
  /** Weights by role: kernel, bias, gamma, beta, mean, variance, slope, value, scale. */
  params: Record<string, Float32Array>;
  /** spikelite per-image output shape. */
  shape: Shape;
  /** The ONNX node this layer came from (name, op type). */
  from: { node: string; op: string };
}

export class Ir {
  readonly nodes: IrNode[] = [];
  private readonly ids = new Set<string>([INPUT_REF]);

  constructor(readonly inputShape: Shape) {}

  shapeOf(ref: string): Shape {
    if (ref === INPUT_REF) return this.inputShape;
    const n = this.get(ref);
    return n.shape;
  }

  get(id: string): IrNode {
    const n = this.nodes.find((x) => x.id === id);
    if (n === undefined) throw new Error(`internal: no IR node '${id}'`);
    return n;
  }

  /** A fresh id from a hint (an ONNX value name). */
  private fresh(hint: string): string {
    let id = hint === '' ? 'layer' : hint;
    for (let k = 1; this.ids.has(id); k++) id = `${hint}~${k}`;
    this.ids.add(id);
    return id;
  }

  /** Parse a layer, compute its output shape and append it; throws a plain Error when the shapes do not fit. */
  emit(layer: LeafInput, inputs: string[], params: Record<string, Float32Array>, from: IrNode['from'], hint: string): IrNode {
    const parsed = parseWith(Layer, layer, `${from.op} layer`) as LeafLayer;
    const shape = layerOutputShape(parsed, inputs.map((r) => this.shapeOf(r)));
    const node: IrNode = { id: this.fresh(hint), layer: parsed, inputs, params, shape, from };
    this.nodes.push(node);
    return node;
  }

  consumers(id: string): IrNode[] {
    return this.nodes.filter((n) => n.inputs.includes(id));
  }

  /** Every use of `from` reads `to` instead (and the output, when `output` is given). */
  replaceUses(from: string, to: string): void {
    for (const n of this.nodes) n.inputs = n.inputs.map((r) => (r === from ? to : r));
  }

  remove(id: string): void {
    const i = this.nodes.findIndex((n) => n.id === id);
    if (i >= 0) this.nodes.splice(i, 1);
  }

  /** Drop nodes that do not lead to `output`. */
  prune(output: string): void {
    const live = new Set<string>();
    const visit = (id: string): void => {
      if (id === INPUT_REF || live.has(id)) return;
      live.add(id);
      for (const r of this.get(id).inputs) visit(r);
    };
    visit(output);
    for (const n of [...this.nodes]) if (!live.has(n.id)) this.remove(n.id);
  }
}

/**
 * The spec (layers in IR order, `output` last) and weights named `layers.<i>.<role>`. Every
 * layer is named after the ONNX value it computes (so errors and summaries can point back to the
 * file); a layer names its inputs only when it does not simply read the layer before it.
 */
export function toSpec(
  ir: Ir,
  output: string,
  meta: { name: string; input: ModelSpec['input']; classes?: number | undefined },
  label: string,
): { spec: ModelSpec; weights: Map<string, Float32Array> } {
  // The output node last: move it (and nothing else) to the end if a dead-end branch follows it.
  const order = ir.nodes.filter((n) => n.id !== output);
  if (output !== INPUT_REF) order.push(ir.get(output));
  const weights = new Map<string, Float32Array>();
  const layers = order.map((n, i) => {
    const previous = i === 0 ? INPUT_REF : order[i - 1]!.id;
    const chained = n.inputs.length === 1 && n.inputs[0] === previous;
    for (const [role, value] of Object.entries(n.params)) weights.set(`layers.${i}.${role}`, value);
    return {
      ...n.layer,
      name: n.id,
      ...(chained || n.layer.kind === 'constant' ? {} : { inputs: n.inputs }),
    } as LayerInput;
  });
  const spec = parseWith(ModelSpec, { name: meta.name, input: meta.input, ...(meta.classes !== undefined ? { classes: meta.classes } : {}), layers }, `${label} (imported spec)`);
  return { spec, weights };
}

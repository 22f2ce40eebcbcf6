/**
 * Weight normalisation for rate conversion of networks with biases (data-based normalisation,
 * Rueckauer et al. 2017, in the "spikes carry θ" form): an IF neuron with threshold θ_j fires
 * at a rate r ≈ a/θ_j, so each spike stands for θ_j of ANN activation. Every weight layer
 * fed by the spikes of activation j has its kernel's input channels multiplied by θ_j (its bias
 * is unchanged), so every pre-activation — and every bias — stays in ANN units and each θ is
 * the ANN-unit statistic of its own input. Without it a folded BatchNorm's bias would be added
 * at ANN scale to a current at spike scale (DIET's bias-free nets do not need this).
 *
 * What a value carries is tracked per channel through the graph: a concatenation of spike trains
 * of different thresholds carries each part's θ, so the next layer scales each input channel by
 * its own θ. Where spikes meet analog values or spikes of another θ in a sum (a residual block's
 * identity shortcut), an `affine` layer of θ per channel turns the spikes into ANN units first.
 */
import { GRAPH_INPUT, Network, shapeSize, type Node } from '@spikelite/models';
import { ModelSpec, parseWith, sliceBounds, type Layer, type LayerInput } from '@spikelite/schemas';
import type { LayerThreshold } from './recipes/types.js';

/** What a value holds: ANN-unit analog values, or spikes with each last-axis channel worth θ[c]. */
type Unit = { kind: 'analog' } | { kind: 'spikes'; theta: Float32Array };

export class NormalisationError extends Error {
  override readonly name = 'NormalisationError';
  constructor(
    message: string,
    readonly layer: string,
  ) {
    super(message);
  }
}

/** An affine θ-scale to put on input `operand` of `node`: its spikes become ANN-unit values there. */
interface Insert {
  node: Node;
  operand: number;
  theta: Float32Array;
}

interface Plan {
  /** kernel name → factor per input channel (conv) or input feature (linear) */
  scale: Map<string, Float32Array>;
  inserts: Insert[];
  /** θ per channel of the network's output, when it carries spikes (scaled back at the end). */
  output: Float32Array | null;
}

const lastDim = (s: readonly number[]): number => s[s.length - 1] ?? 1;
const uniform = (t: Float32Array): boolean => t.every((v) => v === t[0]);
const fill = (n: number, v: number): Float32Array => new Float32Array(n).fill(v);
const same = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

function plan(net: Network, thetas: readonly LayerThreshold[]): Plan {
  const out: Plan = { scale: new Map(), inserts: [], output: null };
  const units: Unit[] = [];
  const unitOf = (id: number): Unit => (id === GRAPH_INPUT ? { kind: 'analog' } : units[id]!);
  const fail = (node: Node, why: string): never => {
    throw new NormalisationError(`${node.path} (${node.op}): ${why}`, node.path);
  };
  /**
   * Where spikes cannot pass on with their θ (a bias added to them, a channel permutation of
   * mixed thresholds, two spike trains multiplied): a θ-scale on that input turns them into
   * ANN-unit (graded) values first, and the node's output is analog.
   */
  const dequantize = (node: Node, ins: Unit[]): void => {
    ins.forEach((u, operand) => {
      if (u.kind !== 'spikes') return;
      if (u.theta.length !== lastDim(node.inputShapes[operand]!)) fail(node, 'its spike input has no per-channel threshold to scale by');
      out.inserts.push({ node, operand, theta: u.theta });
    });
  };
  for (const node of net.graph.nodes) {
    const ins = node.inputs.map(unitOf);
    const u = ins[0];
    const spikes = ins.some((x) => x.kind === 'spikes');
    let result: Unit = { kind: 'analog' };
    switch (node.op) {
      case 'activation': {
        const th = thetas[node.index]!;
        const C = lastDim(node.output);
        if (typeof th !== 'number' && th.length !== C) fail(node, `${th.length} thresholds for ${C} channels`);
        result = { kind: 'spikes', theta: typeof th === 'number' ? fill(C, th) : Float32Array.from(th) };
        break;
      }
      case 'conv2d':
      case 'linear':
        if (u!.kind === 'spikes') out.scale.set(node.kernel, u!.theta);
        break;
      case 'avgPool':
      case 'maxPool':
      case 'sumPool':
      case 'globalAvgPool':
      case 'globalMaxPool':
      case 'dropout':
        result = u!;
        break;
      case 'pad':
        if (u!.kind === 'spikes' && node.layer.mode === 'constant' && node.layer.value !== 0) dequantize(node, ins);
        else result = u!;
        break;
      case 'flatten': {
        if (u!.kind === 'analog') break;
        const t = u!.theta;
        const n = shapeSize(node.input);
        const c = t.length;
        const chw = node.layer.order === 'chw' && node.input.length === 3;
        // Feature f of an NHWC flatten is channel f % C; of a channels-first flatten, f / (H·W).
        result = { kind: 'spikes', theta: Float32Array.from({ length: n }, (_, f) => t[chw ? Math.floor(f / (n / c)) : f % c]!) };
        break;
      }
      case 'reshape':
      case 'transpose': {
        if (u!.kind === 'analog') break;
        const t = u!.theta;
        const keepsLast = node.op === 'reshape' ? lastDim(node.output) === lastDim(node.input) : node.layer.perm[node.layer.perm.length - 1] === node.input.length - 1;
        if (keepsLast) result = u!;
        else if (uniform(t)) result = { kind: 'spikes', theta: fill(lastDim(node.output), t[0]!) };
        else dequantize(node, ins);
        break;
      }
      case 'slice': {
        if (u!.kind === 'analog') break;
        if (node.axis !== node.input.length - 1) {
          result = u!;
          break;
        }
        const t = u!.theta;
        const { begin, count } = sliceBounds(t.length, node.layer.start, node.layer.end, node.layer.step);
        result = { kind: 'spikes', theta: Float32Array.from({ length: count }, (_, i) => t[begin + i * node.layer.step]!) };
        break;
      }
      case 'concat': {
        if (!spikes) break;
        // Analog parts are in ANN units already: factor 1.
        const ts = ins.map((x, i) => (x.kind === 'spikes' ? x.theta : fill(lastDim(node.inputShapes[i]!), 1)));
        if (node.axis === node.input.length - 1) {
          const all = new Float32Array(ts.reduce((a, t) => a + t.length, 0));
          let at = 0;
          for (const t of ts) {
            all.set(t, at);
            at += t.length;
          }
          result = { kind: 'spikes', theta: all };
        } else if (ts.every((t) => same(t, ts[0]!)) && ins.every((x) => x.kind === 'spikes')) result = ins[0]!;
        else dequantize(node, ins);
        break;
      }
      case 'add':
      case 'sub': {
        if (!spikes) break;
        const ts = ins.map((x) => (x.kind === 'spikes' ? x.theta : null));
        if (ts.every((t) => t !== null && same(t, ts[0]!))) {
          result = ins[0]!;
          break;
        }
        // Mixed scales: bring every spike operand to ANN units, the sum is analog.
        dequantize(node, ins);
        break;
      }
      case 'mul':
      case 'div':
      case 'affine': {
        if (!spikes) break;
        if (node.op === 'affine') {
          // A scale keeps the spikes (θ times the scale); a bias is in ANN units: dequantize first.
          if (node.bias === null) result = u!;
          else dequantize(node, ins);
          break;
        }
        // A spike train times a broadcast analog factor (a gate) keeps its scale.
        const spikeOperand = ins.findIndex((x) => x.kind === 'spikes');
        const other = ins[1 - spikeOperand]!;
        const full = node.inputShapes[spikeOperand]!.join() === node.output.join();
        if (other.kind === 'analog' && full && (node.op === 'mul' || spikeOperand === 0)) result = ins[spikeOperand]!;
        else dequantize(node, ins);
        break;
      }
      default:
        // batchNorm, softmax, matmul...: they need ANN units.
        if (spikes) dequantize(node, ins);
        break;
    }
    units.push(result);
  }
  const last = units[units.length - 1];
  if (last?.kind === 'spikes') out.output = last.theta;
  return out;
}

type Residual = Extract<Layer, { kind: 'residual' }>;

/**
 * A copy of `net` whose kernels are scaled by the thresholds of the activations feeding them
 * (θ with the recipe's scale applied), with θ-scales (affine layers) where spikes must become
 * ANN-unit values, and at the end when the output carries spikes. Returns the network and notes.
 */
export function normaliseWeights(net: Network, thetas: readonly LayerThreshold[]): { network: Network; notes: string[] } {
  const p = plan(net, thetas);
  const notes: string[] = [];
  // θ-scales to insert, by the path of the node they precede: before operand k of a layer, or at
  // the end of a residual branch (operands of a residual block's merge).
  const before = new Map<string, Array<{ operand: number; theta: Float32Array }>>();
  for (const ins of p.inserts) {
    const key = ins.node.op === 'add' && ins.node.residual !== null ? `${ins.node.path}#${ins.operand === 0 ? 'body' : 'shortcut'}` : ins.node.path;
    before.set(key, [...(before.get(key) ?? []), { operand: ins.operand, theta: ins.theta }]);
    notes.push(`${ins.node.path} (${ins.node.op}): its spike input ${ins.operand} is multiplied by θ (${uniform(ins.theta) ? ins.theta[0]!.toFixed(3) : 'per channel'}) into ANN units there`);
  }
  const rename = new Map<string, string>();
  const scales: Array<{ path: string; theta: Float32Array }> = [];
  const affine = (theta: Float32Array, extra: Partial<LayerInput> = {}): LayerInput => ({ kind: 'affine', shape: [theta.length], scale: true, bias: false, ...extra }) as LayerInput;

  /** A chain (top level or a residual branch) at `from`, rebuilt at `to` with its θ-scales. */
  const chain = (layers: readonly Layer[], from: string, to: string, top: boolean): LayerInput[] => {
    const out: LayerInput[] = [];
    const prefix = to;
    layers.forEach((layer, i) => {
      const oldPath = `${from}.${i}`;
      for (const b of before.get(oldPath) ?? []) {
        const path = `${prefix}.${out.length}`;
        scales.push({ path, theta: b.theta });
        if (top && layer.inputs !== undefined) {
          // A named input: the scale reads it, the layer reads the scale.
          const name = `${layer.name ?? oldPath}:theta${b.operand}`;
          out.push(affine(b.theta, { name, inputs: [layer.inputs[b.operand]!] }));
          layer.inputs[b.operand] = name;
        } else out.push(affine(b.theta));
      }
      const path = `${prefix}.${out.length}`;
      rename.set(oldPath, path);
      if (layer.kind === 'residual') {
        const res: Residual = { ...layer, body: [...layer.body], shortcut: [...layer.shortcut] };
        const body = chain(res.body, `${oldPath}.body`, `${path}.body`, false);
        const shortcut = chain(res.shortcut, `${oldPath}.shortcut`, `${path}.shortcut`, false);
        for (const [branch, list] of [['body', body], ['shortcut', shortcut]] as const) {
          for (const b of before.get(`${oldPath}#${branch}`) ?? []) {
            scales.push({ path: `${path}.${branch}.${list.length}`, theta: b.theta });
            list.push(affine(b.theta));
          }
        }
        out.push({ ...res, body, shortcut } as LayerInput);
      } else out.push(layer as LayerInput);
    });
    return out;
  };
  const layers = chain(structuredClone(net.spec.layers) as Layer[], 'layers', 'layers', true);
  if (p.output !== null) {
    scales.push({ path: `layers.${layers.length}`, theta: p.output });
    layers.push(affine(p.output));
    notes.push(`the output carries spikes: multiplied by θ at the end, so the logits are in ANN units`);
  }
  /** A parameter `<layer path>.<role>` under its layer's new path. */
  const renamed = (name: string): string => {
    const at = name.lastIndexOf('.');
    return `${rename.get(name.slice(0, at)) ?? name.slice(0, at)}${name.slice(at)}`;
  };
  const spec = parseWith(ModelSpec, { ...net.spec, layers }, 'model spec (normalised)');
  const result = Network.create(spec);
  const scaled = new Map([...p.scale].map(([k, v]) => [renamed(k), v] as const));
  for (const info of net.params.list()) {
    const name = renamed(info.name);
    const data = net.params.get(info.name).dataSync() as Float32Array;
    const factor = scaled.get(name);
    if (factor === undefined) {
      result.params.assign(name, data);
      continue;
    }
    // Kernels are [..., in, out] (conv HWIO with in = channels per group; linear [in, out]): scale row `in`.
    const shape = info.shape;
    const cout = shape[shape.length - 1]!;
    const cin = shape[shape.length - 2]!;
    const groupsIn = factor.length / cin;
    const perGroupOut = cout / groupsIn;
    result.params.assign(name, data.map((x, i) => x * factor[Math.floor((i % cout) / perGroupOut) * cin + (Math.floor(i / cout) % cin)]!));
  }
  for (const a of scales) result.params.assign(`${a.path}.scale`, a.theta);
  notes.unshift(`weights normalised: ${p.scale.size} kernel(s) scaled by the threshold of the activation feeding them (spikes carry θ)`);
  return { network: result, notes };
}

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

/** An affine θ-scale to put on operand `operand` of an add/sub node. */
interface Insert {
  node: Extract<Node, { residual: unknown }>;
  operand: number;
  theta: Float32Array;
}

interface Plan {
  /** kernel name → factor per input channel (conv) or input feature (linear) */
  scale: Map<string, Float32Array>;
  inserts: Insert[];
}

const lastDim = (s: readonly number[]): number => s[s.length - 1] ?? 1;
const uniform = (t: Float32Array): boolean => t.every((v) => v === t[0]);
const fill = (n: number, v: number): Float32Array => new Float32Array(n).fill(v);
const same = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

function plan(net: Network, thetas: readonly number[]): Plan {
  const out: Plan = { scale: new Map(), inserts: [] };
  const units: Unit[] = [];
  const unitOf = (id: number): Unit => (id === GRAPH_INPUT ? { kind: 'analog' } : units[id]!);
  const fail = (node: Node, why: string): never => {
    throw new NormalisationError(`${node.path} (${node.op}): ${why}`, node.path);
  };
  for (const node of net.graph.nodes) {
    const ins = node.inputs.map(unitOf);
    const u = ins[0];
    const spikes = ins.some((x) => x.kind === 'spikes');
    let result: Unit = { kind: 'analog' };
    switch (node.op) {
      case 'activation':
        result = { kind: 'spikes', theta: fill(lastDim(node.output), thetas[node.index]!) };
        break;
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
        if (u!.kind === 'spikes' && node.layer.mode === 'constant' && node.layer.value !== 0) fail(node, `padding spikes with ${node.layer.value} cannot be normalised`);
        result = u!;
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
        else fail(node, 'moves the channel axis of spikes with different thresholds per channel');
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
        if (ins.some((x) => x.kind === 'analog')) fail(node, 'concatenates spikes with analog values; put an activation on every branch');
        const ts = ins.map((x) => (x as Extract<Unit, { kind: 'spikes' }>).theta);
        if (node.axis === node.input.length - 1) {
          const all = new Float32Array(ts.reduce((a, t) => a + t.length, 0));
          let at = 0;
          for (const t of ts) {
            all.set(t, at);
            at += t.length;
          }
          result = { kind: 'spikes', theta: all };
        } else if (ts.every((t) => same(t, ts[0]!))) result = ins[0]!;
        else fail(node, 'concatenates spikes of different thresholds along a non-channel axis');
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
        ts.forEach((t, operand) => {
          if (t === null) return;
          if (node.inputShapes[operand]!.join() !== node.output.join()) fail(node, 'adds broadcast spikes of another scale');
          out.inserts.push({ node: node as Extract<Node, { residual: unknown }>, operand, theta: t });
        });
        break;
      }
      case 'mul':
      case 'div':
      case 'affine': {
        if (!spikes) break;
        if (node.op === 'affine') {
          if (node.bias !== null) fail(node, 'adds a bias to spikes; fold it into the layer before the activation');
          result = u!;
          break;
        }
        // A spike train times a broadcast analog factor (a gate) keeps its scale.
        const spikeOperand = ins.findIndex((x) => x.kind === 'spikes');
        const other = ins[1 - spikeOperand]!;
        const full = node.inputShapes[spikeOperand]!.join() === node.output.join();
        if (other.kind === 'analog' && full && (node.op === 'mul' || spikeOperand === 0)) result = ins[spikeOperand]!;
        else fail(node, 'multiplies two spike trains');
        break;
      }
      default:
        if (spikes) fail(node, 'takes spikes, which rate conversion cannot normalise here');
        break;
    }
    units.push(result);
  }
  return out;
}

/** Spec path of a top-level layer index. */
const top = (path: string): number => Number(path.split('.')[1]);

/**
 * A copy of `net` whose kernels are scaled by the thresholds of the activations feeding them
 * (θ with the recipe's scale applied), plus θ-scales where spikes of different scales meet in
 * a sum. Returns the network and notes.
 */
export function normaliseWeights(net: Network, thetas: readonly number[]): { network: Network; notes: string[] } {
  const p = plan(net, thetas);
  const layers = structuredClone(net.spec.layers) as Layer[];
  const notes: string[] = [];
  // New layers: appended to a residual branch, or inserted before a top-level add (which shifts later indices).
  const before = new Map<number, Array<{ layer: LayerInput; theta: Float32Array }>>();
  const appended: Array<{ path: string; theta: Float32Array }> = [];
  for (const ins of p.inserts) {
    const affine = { kind: 'affine' as const, shape: [ins.theta.length], scale: true, bias: false };
    if (ins.node.residual !== null) {
      const res = layers[top(ins.node.path)] as Extract<Layer, { kind: 'residual' }>;
      const branch = ins.operand === 0 ? res.body : res.shortcut;
      branch.push(affine as unknown as Layer);
      appended.push({ path: `${ins.node.path}.${ins.operand === 0 ? 'body' : 'shortcut'}.${branch.length - 1}`, theta: ins.theta });
    } else {
      const at = top(ins.node.path);
      const add = layers[at]!;
      const name = `${add.name ?? `layers.${at}`}:theta${ins.operand}`;
      const list = before.get(at) ?? [];
      list.push({ layer: { ...affine, name, inputs: [add.inputs![ins.operand]!] }, theta: ins.theta });
      before.set(at, list);
      add.inputs![ins.operand] = name;
    }
    notes.push(`${ins.node.path}: spikes into a sum with another scale are multiplied by θ (${uniform(ins.theta) ? ins.theta[0]!.toFixed(3) : 'per channel'}) so the operands add in ANN units`);
  }
  const out: LayerInput[] = [];
  const newIndex: number[] = [];
  const insertedAt: Array<{ index: number; theta: Float32Array }> = [];
  layers.forEach((layer, i) => {
    for (const b of before.get(i) ?? []) {
      insertedAt.push({ index: out.length, theta: b.theta });
      out.push(b.layer);
    }
    newIndex[i] = out.length;
    out.push(layer as LayerInput);
  });
  const rename = (name: string): string => name.replace(/^layers\.(\d+)/, (_, i: string) => `layers.${newIndex[Number(i)]}`);
  const spec = parseWith(ModelSpec, { ...net.spec, layers: out }, 'model spec (normalised)');
  const result = Network.create(spec);
  const scaled = new Map([...p.scale].map(([k, v]) => [rename(k), v] as const));
  for (const info of net.params.list()) {
    const name = rename(info.name);
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
  for (const a of appended) result.params.assign(`${rename(a.path)}.scale`, a.theta);
  for (const a of insertedAt) result.params.assign(`layers.${a.index}.scale`, a.theta);
  notes.unshift(`weights normalised: ${p.scale.size} kernel(s) scaled by the threshold of the activation feeding them (spikes carry θ)`);
  return { network: result, notes };
}

/**
 * Weight normalisation for rate conversion of networks with biases (data-based normalisation,
 * Rueckauer et al. 2017, in the "spikes carry θ" form): an IF neuron with threshold θ_j fires
 * at a rate r ≈ a/θ_j, so each spike stands for θ_j of ANN activation. Every weight layer
 * fed by the spikes of activation j has its kernel multiplied by θ_j (its bias is unchanged),
 * so every pre-activation — and every bias — stays in ANN units and each θ is the ANN-unit
 * statistic of its own input. Without it a folded BatchNorm's bias would be added at ANN scale
 * to a current at spike scale (DIET's bias-free nets do not need this).
 *
 * An identity shortcut of a residual block that carries spikes of activation j while the body
 * ends in a weight layer gets a 1×1 convolution (or a linear layer) equal to θ_j·I, so both
 * branches are summed in ANN units.
 */
import { Network, type Node } from '@spikelite/models';
import { ModelSpec, parseWith, type Layer } from '@spikelite/schemas';

/** What a value holds: ANN-unit analog values, or the spikes of activation `index`. */
type Value = { kind: 'analog' } | { kind: 'spikes'; index: number };

export class NormalisationError extends Error {
  override readonly name = 'NormalisationError';
  constructor(
    message: string,
    readonly layer: string,
  ) {
    super(message);
  }
}

interface Plan {
  /** kernel name → factor */
  scale: Map<string, number>;
  /** residual path → identity shortcut to insert (θ, channels, flat) */
  shortcuts: Map<string, { theta: number; channels: number; flat: boolean }>;
}

function walk(nodes: readonly Node[], value: Value, thetas: readonly number[], plan: Plan): Value {
  let v = value;
  for (const node of nodes) {
    switch (node.op) {
      case 'conv2d':
      case 'linear':
        if (v.kind === 'spikes') plan.scale.set(node.kernel, thetas[v.index]!);
        v = { kind: 'analog' };
        break;
      case 'activation':
        v = { kind: 'spikes', index: node.index };
        break;
      case 'batchNorm':
        if (v.kind === 'spikes') throw new NormalisationError(`${node.path} (batchNorm): a BatchNorm on spikes cannot be normalised`, node.path);
        break;
      case 'residual': {
        const body = walk(node.body, v, thetas, plan);
        let shortcut = walk(node.shortcut, v, thetas, plan);
        if (node.shortcut.length === 0 && shortcut.kind === 'spikes' && body.kind === 'analog') {
          const flat = node.input.length === 1;
          plan.shortcuts.set(node.path, { theta: thetas[shortcut.index]!, channels: node.input[node.input.length - 1]!, flat });
          shortcut = { kind: 'analog' };
        }
        if (body.kind === 'analog' && shortcut.kind === 'analog') v = body;
        else if (body.kind === 'spikes' && shortcut.kind === 'spikes' && thetas[body.index] === thetas[shortcut.index]) v = body;
        else throw new NormalisationError(`${node.path} (residual): its branches carry values at different scales (spikes of different thresholds, or spikes and analog values)`, node.path);
        break;
      }
      default:
        break; // pooling, flatten, dropout keep what they carry
    }
  }
  return v;
}

function layerAt(layers: Layer[], path: string): Layer {
  const parts = path.split('.');
  let list: Layer[] = layers;
  let layer: Layer | undefined;
  for (let i = 1; i < parts.length; i += 2) {
    layer = list[Number(parts[i])];
    if (layer === undefined) throw new Error(`normalise: no layer at ${path}`);
    const next = parts[i + 1];
    if (next !== undefined) list = (layer as Extract<Layer, { kind: 'residual' }>)[next as 'body' | 'shortcut'];
  }
  return layer!;
}

/**
 * A copy of `net` whose kernels are scaled by the thresholds of the activations feeding them
 * (θ with the recipe's scale applied), plus identity shortcuts where needed. Returns the
 * network and notes.
 */
export function normaliseWeights(net: Network, thetas: readonly number[]): { network: Network; notes: string[] } {
  const plan: Plan = { scale: new Map(), shortcuts: new Map() };
  walk(net.graph.nodes, { kind: 'analog' }, thetas, plan);
  const layers = structuredClone(net.spec.layers) as Layer[];
  for (const [path, s] of plan.shortcuts) {
    const res = layerAt(layers, path) as Extract<Layer, { kind: 'residual' }>;
    res.shortcut = [s.flat ? ({ kind: 'linear', units: s.channels, useBias: false } as Layer) : ({ kind: 'conv2d', filters: s.channels, kernelSize: 1, padding: 'valid', useBias: false } as Layer)];
  }
  const spec = parseWith(ModelSpec, { ...net.spec, layers }, 'model spec (normalised)');
  const out = Network.create(spec);
  const notes: string[] = [];
  for (const p of out.params.list()) {
    if (net.params.has(p.name)) {
      const factor = plan.scale.get(p.name);
      const v = net.params.get(p.name);
      const data = v.dataSync() as Float32Array;
      out.params.assign(p.name, factor === undefined ? data : data.map((x) => x * factor));
    }
  }
  for (const [path, s] of plan.shortcuts) {
    const eye = new Float32Array(s.channels * s.channels);
    for (let c = 0; c < s.channels; c++) eye[c * s.channels + c] = s.theta;
    out.params.assign(`${path}.shortcut.0.kernel`, eye);
    notes.push(`${path}: identity shortcut of spikes made a 1×1 ${s.flat ? 'linear' : 'conv'} θ·I (θ = ${s.theta.toFixed(3)}) so both branches add in ANN units`);
  }
  notes.unshift(`weights normalised: ${plan.scale.size} kernel(s) scaled by the threshold of the activation feeding them (spikes carry θ)`);
  return { network: out, notes };
}

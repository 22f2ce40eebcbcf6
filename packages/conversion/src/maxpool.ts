/**
 * MaxPool in a converted SNN. 'keep': max over the spikes of each step (for FS layers the
 * graded outputs arrive in one block, so this is the ANN's max of the quantised values; for
 * IF/LIF spikes it is an OR of binary spikes, which over-counts the rate of the pooled
 * window), except where {@link withPoolsBeforeNeurons} can pool the current instead.
 * 'avg': replace every maxPool by an avgPool of the same window (the rate of the pooled window
 * is exact, but the network is no longer the ANN that was trained).
 */
import { Network } from '@spikelite/models';
import { ModelSpec, parseWith, type Layer } from '@spikelite/schemas';

export type MaxPoolMethod = 'keep' | 'avg';

function replaceLayers(layers: readonly Layer[]): { layers: Layer[]; replaced: number } {
  let replaced = 0;
  const out = layers.map((l): Layer => {
    if (l.kind === 'maxPool') {
      replaced++;
      const { kind: _kind, ...fields } = l;
      return { ...fields, kind: 'avgPool', countIncludePad: false } as Layer;
    }
    if (l.kind === 'residual') {
      const body = replaceLayers(l.body);
      const shortcut = replaceLayers(l.shortcut);
      replaced += body.replaced + shortcut.replaced;
      return { ...l, body: body.layers, shortcut: shortcut.layers };
    }
    return l;
  });
  return { layers: out, replaced };
}

export function countMaxPools(spec: ModelSpec): number {
  return replaceLayers(spec.layers).replaced;
}

/** A new Network whose maxPools are avgPools, with copies of `net`'s weights (null when there is no maxPool). */
export function withAvgPool(net: Network): Network | null {
  const { layers, replaced } = replaceLayers(net.spec.layers);
  return replaced === 0 ? null : withLayers(net, layers, 'model spec (maxPool → avgPool)');
}

/** A new Network of `net`'s spec with `layers`, and copies of `net`'s weights (layer paths with weights must not move). */
function withLayers(net: Network, layers: Layer[], what: string): Network {
  const out = Network.create(parseWith(ModelSpec, { ...net.spec, layers }, what));
  for (const p of net.params.list()) out.params.assign(p.name, net.params.get(p.name));
  return out;
}

/** Activations that commute with a max (monotone non-decreasing): pool(f(x)) = f(pool(x)). */
const COMMUTES_WITH_MAX = new Set(['relu', 'relu6', 'clip']);

/**
 * Moves each top-level `activation → maxPool` pair whose activation input is the same at every
 * step under direct input (a path from the input through no activation: the stem of a ResNet
 * or DenseNet) to `maxPool → activation`. The ANN is unchanged (a monotone activation commutes
 * with a max), and the SNN's neuron then integrates the max of a constant current, so its rate
 * is the ANN's pooled value: exact, where a max over spikes is an OR that over-counts (a
 * ResNet-18 at T = 32 lost 20 points to it). Returns null when no pair qualifies. Only for
 * direct input: under any other encoding the current varies and the max of currents is not
 * the max of rates.
 */
export function withPoolsBeforeNeurons(net: Network): { network: Network; moved: string[] } | null {
  const layers = [...net.spec.layers];
  const referenced = new Map<string, number>();
  const countRefs = (ls: readonly Layer[]): void => {
    for (const l of ls) {
      for (const i of l.inputs ?? []) referenced.set(i, (referenced.get(i) ?? 0) + 1);
      if (l.kind === 'residual') {
        countRefs(l.body);
        countRefs(l.shortcut);
      }
    }
  };
  countRefs(layers);
  // fedByConstant[i]: every input of layer i is the same at every step; constant[i]: so is its
  // output (computed from the input through no activation).
  const fedByConstant: boolean[] = [];
  const constant: boolean[] = [];
  const byName = new Map<string, number>();
  const isConstant = (name: string): boolean => name === 'input' || (byName.has(name) && constant[byName.get(name)!]!);
  layers.forEach((l, i) => {
    const inputs = l.inputs ?? [i === 0 ? 'input' : null];
    fedByConstant[i] = inputs.every((n) => (n === null ? constant[i - 1]! : isConstant(n)));
    constant[i] = l.kind !== 'activation' && l.kind !== 'residual' && fedByConstant[i];
    if (l.name !== undefined) byName.set(l.name, i);
  });
  const moved: string[] = [];
  for (let a = 0; a + 1 < layers.length; a++) {
    const act = layers[a]!;
    const pool = layers[a + 1]!;
    if (act.kind !== 'activation' || pool.kind !== 'maxPool' || !COMMUTES_WITH_MAX.has(act.fn)) continue;
    if ((act.inputs ?? []).length > 1 || !fedByConstant[a]) continue;
    // The activation's output must feed the pool alone.
    const poolTakesAct = pool.inputs === undefined || (pool.inputs.length === 1 && pool.inputs[0] === act.name);
    if (!poolTakesAct || (act.name !== undefined && (referenced.get(act.name) ?? 0) !== (pool.inputs ? 1 : 0))) continue;
    // Names stay at their positions: later layers that take the pool's output now take the neuron's.
    layers[a] = withoutUndefined({ ...pool, name: act.name, inputs: act.inputs });
    layers[a + 1] = withoutUndefined({ ...act, name: pool.name, inputs: undefined });
    moved.push(`layers.${a}`);
    a++;
  }
  return moved.length === 0 ? null : { network: withLayers(net, layers, 'model spec (maxPool before its neuron)'), moved };
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

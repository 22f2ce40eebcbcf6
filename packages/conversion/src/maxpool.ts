/**
 * MaxPool in a converted SNN. 'keep': max over the spikes of each step (for FS layers the
 * graded outputs arrive in one block, so this is the ANN's max of the quantised values; for
 * IF/LIF spikes it is an OR of binary spikes, which over-counts the rate of the pooled
 * window). 'avg': replace every maxPool by an avgPool of the same window (the rate of the
 * pooled window is exact, but the network is no longer the ANN that was trained).
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
  if (replaced === 0) return null;
  const spec = parseWith(ModelSpec, { ...net.spec, layers }, 'model spec (maxPool → avgPool)');
  const out = Network.create(spec);
  for (const p of net.params.list()) out.params.assign(p.name, net.params.get(p.name));
  return out;
}

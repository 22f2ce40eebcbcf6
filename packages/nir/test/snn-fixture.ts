/**
 * The spikelite SNN whose NIR export is cross-checked with h5py (tooling/fixtures/nir:
 * spikelite_snn.nir, spikelite_snn.h5py.json): every primitive the export writes — Conv2d,
 * IF, AvgPool2d, LIF with per-channel leaks (float64 τ and r), SumPool2d, an (H, W, C)
 * Flatten, Affine, Scale, Linear, the readout I — from seeded weights and hand-set
 * thresholds and leaks, so the export is the same on every machine.
 */
import { createEncoder } from '@spikelite/encoding';
import { initEngine } from '@spikelite/engine';
import { Network, SnnModel } from '@spikelite/models';
import { ModelSpec, parseWith, type NeuronSpecInput } from '@spikelite/schemas';
import { exportSnnToNir, type NirExport } from '../src/export.js';

export const FIXTURE_EXPORT = { dt: 1e-3, convention: 'nir' } as const;

export function fixtureSnn(): SnnModel {
  const spec = parseWith(ModelSpec, {
    name: 'nir-export-fixture',
    input: { channels: 2, height: 6, width: 6 },
    classes: 3,
    layers: [
      { kind: 'conv2d', filters: 3, kernelSize: 3, padding: 'same', useBias: true },
      { kind: 'activation', fn: 'relu' },
      { kind: 'avgPool', poolSize: 2 },
      { kind: 'conv2d', filters: 4, kernelSize: 2, padding: 'valid' },
      { kind: 'activation', fn: 'relu' },
      { kind: 'sumPool', poolSize: 2 },
      { kind: 'flatten' },
      { kind: 'linear', units: 5, useBias: true },
      { kind: 'affine', shape: [5] },
      { kind: 'activation', fn: 'relu' },
      { kind: 'linear', units: 3 },
    ],
  }, 'nir-export-fixture');
  const net = Network.create(spec, { seed: 15 });
  net.params.assign('layers.8.scale', Float32Array.from([0.5, 1, 1.5, 2, 2.5]));
  const neurons: NeuronSpecInput[] = [
    { kind: 'if', threshold: 0.5, reset: 'hard' },
    { kind: 'lif', granularity: 'channel', reset: 'hard' },
    { kind: 'lif', leak: 0.8, threshold: 0.25, reset: 'soft' },
  ];
  const snn = new SnnModel(net, { timesteps: 4, neuron: (node) => neurons[node.index] as never, encoder: createEncoder({ kind: 'direct' }, { timesteps: 4 }) });
  const lif = snn.neurons[1]!;
  if (lif.mode === 'step') {
    lif.setParameter('leak', [0.5, 0.75, 0.9, 0.95]);
    lif.setParameter('threshold', [0.1, 0.2, 0.3, 0.4]);
  }
  return snn;
}

/** The fixture SNN's export (on the cpu backend; the values do not depend on it). */
export async function fixtureExport(): Promise<NirExport> {
  await initEngine({ backend: 'cpu' });
  const snn = fixtureSnn();
  try {
    return exportSnnToNir(snn, FIXTURE_EXPORT);
  } finally {
    snn.dispose();
    snn.network.dispose();
  }
}

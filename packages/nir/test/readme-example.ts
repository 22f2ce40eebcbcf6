import { readFile } from 'node:fs/promises';
import { createEncoder } from '@spikelite/encoding';
import { initEngine } from '@spikelite/engine';
import { Network, SnnModel } from '@spikelite/models';
import { ModelSpec, parseWith } from '@spikelite/schemas';
import { exportSnnToNir, nirToSpikelite, readNir, runNir, walkNodes, writeNir } from '../src/index.js';

/** The README's example: run the NIR paper's LIF test, import a CNN, export an SNN. */
export async function readmeExample(dir: string) {
  await initEngine({ backend: 'wasm' });
  // 1. Read a file and run it: one input row per step, dt = 0.1 ms, Norse's reading of (tau, r).
  const { version, graph } = await readNir(await readFile(`${dir}/lif_norse.nir`), { source: 'lif_norse.nir' });
  const nodes = [...walkNodes(graph)].map(({ path, node }) => `${path}: ${node.type}`);
  // nodes: ['0: Affine', '1: LIF', 'input: Input', 'output: Output']; version '0.1.1'
  const csv = (await readFile(`${dir}/lif_norse.csv`, 'utf8')).trim().split('\n');
  const inputs = csv.map((line) => [Number(line.split(',')[0])]);
  const { outputs, voltages } = runNir(graph, inputs, { dt: 1e-4, convention: 'norse', recordVoltages: true });
  const spikeSteps = outputs['output']!.flatMap(([s], t) => (s === 1 ? [t] : [])); // [460, 510, 710, 760]
  const membrane = voltages['1']!.map(([v]) => v!); // after the reset: 0 at the spike steps

  // 2. A NIR graph as a spikelite ModelSpec, weights and neurons (createNirSnn runs it).
  const cnn = await readNir(await readFile(`${dir}/cnn_sinabs.nir`));
  const imported = nirToSpikelite(cnn.graph, { convention: 'snntorch' }); // Sinabs' IF: v += I per step
  const layers = imported.spec.layers.map((l) => l.kind); // conv2d, activation, …, flatten, linear, activation

  // 3. A spikelite SNN as a NIR file: LIF λ = 0.9 at dt = 1 ms is τ = 10 ms, r = 10.
  const spec = parseWith(ModelSpec, { input: { shape: [4] }, layers: [{ kind: 'linear', units: 3 }, { kind: 'activation', fn: 'relu' }, { kind: 'linear', units: 2 }] }, 'mlp');
  const net = Network.create(spec, { seed: 1 });
  const snn = new SnnModel(net, { timesteps: 5, neuron: { kind: 'lif', leak: 0.9, reset: 'hard' } as never, encoder: createEncoder({ kind: 'direct' }, { timesteps: 5 }) });
  const { document, warnings } = exportSnnToNir(snn, { dt: 1e-3 }); // warnings: [] (a soft reset would warn)
  const bytes = await writeNir(document);
  const written = Object.entries((await readNir(bytes)).graph.nodes).map(([name, n]) => `${name}: ${n.type}`);
  // written (HDF5 lists by name): ['input: Input', 'layers_0: Linear', 'layers_1: LIF', 'layers_2: Linear', 'output: Output', 'readout: I']
  snn.dispose();
  net.dispose();
  return { version, nodes, spikeSteps, membrane, layers, warnings, written, lif: document.graph.nodes['layers_1'] };
}

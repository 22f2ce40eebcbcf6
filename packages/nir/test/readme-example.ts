import { readFile } from 'node:fs/promises';
import { initEngine } from '@spikelite/engine';
import { readNir, runNir, walkNodes, writeNir } from '../src/index.js';

/** The README's example: read the NIR paper's LIF test, run it, write it back. */
export async function readmeExample(dir: string) {
  await initEngine({ backend: 'wasm' });
  const { version, graph } = await readNir(await readFile(`${dir}/lif_norse.nir`), { source: 'lif_norse.nir' });
  const nodes = [...walkNodes(graph)].map(({ path, node }) => `${path}: ${node.type}`);
  // nodes: ['0: Affine', '1: LIF', 'input: Input', 'output: Output']; version '0.1.1'

  // One input value per step, dt = 0.1 ms, Norse's reading of (tau, r).
  const csv = (await readFile(`${dir}/lif_norse.csv`, 'utf8')).trim().split('\n');
  const inputs = csv.map((line) => [Number(line.split(',')[0])]);
  const { outputs, voltages } = runNir(graph, inputs, { dt: 1e-4, convention: 'norse', recordVoltages: true });
  const spikeSteps = outputs['output']!.flatMap(([s], t) => (s === 1 ? [t] : [])); // [460, 510, 710, 760]
  const membrane = voltages['1']!.map(([v]) => v!); // after the reset: 0 at the spike steps

  const bytes = await writeNir(graph); // NIR 1.0 layout, version "1.0.0"
  const again = await readNir(bytes);
  return { version, nodes, spikeSteps, membrane, again };
}

/**
 * cnn_sinabs.nir (the NIR paper's N-MNIST CNN, exported by Sinabs: Conv2d 2→16 5×5 stride 2,
 * IF, Conv2d 16→16, IF, SumPool2d, Conv2d 16→8, IF, SumPool2d, Flatten, Affine 128→256, IF,
 * Affine 256→10, IF) imported as a spikelite SNN and run on event frames: two synthetic
 * N-MNIST recordings, written in the N-MNIST binary layout, decoded by @spikelite/data and
 * binned into 30 frames, fed through the 'frames' encoding. The reference is the independent
 * plain-JavaScript executor of test/reference.ts on the same frames in NIR's (C, H, W) order
 * (Sinabs' IF: r = 1, v += I per step, i.e. the 'snntorch'/'norse' reading of IF, or 'nir' at dt = 1).
 */
import * as tf from '@tensorflow/tfjs-core';
import { decodeNmnist, eventsToFrames, framesToClip } from '@spikelite/data';
import { initEngine } from '@spikelite/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticNmnist } from '../test/events.js';
import { fixture } from '../test/fixtures.js';
import { referenceRun, type ReferenceRun } from '../test/reference.js';
import type { NirGraph } from './graph.js';
import { hwcToChw } from './layout.js';
import { readNir } from './read.js';
import { runNir } from './run.js';
import { sameGraph } from '../test/same-graph.js';
import { exportSnnToNir } from './export.js';
import { createNirSnn } from './snn.js';
import { writeNir } from './write.js';
import { nirToSpikelite } from './to-spikelite.js';

const T = 30;
let graph: NirGraph;
let clips: Float32Array[];
/** Per recording, per step: the frame as a NIR (C, H, W) row. */
let rows: number[][][];
let reference: ReferenceRun[];

beforeAll(async () => {
  graph = (await readNir(fixture('cnn_sinabs.nir'), { source: 'cnn_sinabs.nir' })).graph;
  const frames = [0, 1].map((seed) => eventsToFrames(decodeNmnist(syntheticNmnist(seed), `synthetic-${seed}.bin`), { bins: T }));
  clips = frames.map(framesToClip);
  rows = frames.map((f) => Array.from({ length: T }, (_, t) => Array.from(hwcToChw(f.data.subarray(t * 34 * 34 * 2, (t + 1) * 34 * 34 * 2), [34, 34, 2]))));
  reference = rows.map((r) => referenceRun(graph, r, 1, 'step'));
});

const IF_NODES = ['1', '3', '6', '10', '12'];

describe.each(['cpu', 'wasm'] as const)('cnn_sinabs.nir on event frames (%s)', (backend) => {
  it('imports as conv/IF/sumPool/flatten(chw)/linear layers and runs a batch of clips as the reference does', async () => {
    await initEngine({ backend });
    const imported = nirToSpikelite(graph, { convention: 'snntorch', source: 'cnn_sinabs.nir' });
    expect(imported.spec.layers.map((l) => l.kind)).toEqual([
      'conv2d', 'activation', 'conv2d', 'activation', 'sumPool', 'conv2d', 'activation', 'sumPool', 'flatten', 'linear', 'activation', 'linear', 'activation',
    ]);
    expect(imported.output).toEqual({ node: 'output', shape: [10], readout: 'spikes' });
    expect(imported.neurons.get('1')).toEqual({ kind: 'nirIf', dt: 1e-4, convention: 'snntorch', r: 1, vThreshold: 1, vReset: 0 });
    const before = tf.memory().numTensors;
    const snn = createNirSnn(imported, { timesteps: T });
    const batch = tf.tensor4d(Float32Array.from(clips.flatMap((c) => Array.from(c))), [2, 34, 34, 2 * T]);
    const spikes: number[][][] = IF_NODES.map(() => []); // layer → step → per-image counts
    const outputs: number[][][] = [[], []]; // image → step → 10 outputs
    const r = snn.forward(batch, {
      release: true,
      onSpikes: (l, t, s) => (spikes[l]![t] = Array.from(tf.tidy(() => tf.sum(tf.reshape(s, [2, -1]), 1)).dataSync())),
      onOutput: (t, y) => {
        const v = y.dataSync();
        for (let i = 0; i < 2; i++) outputs[i]![t] = Array.from(v.subarray(i * 10, (i + 1) * 10));
      },
    });
    // SnnModel's logits sum the Output over the steps: the output spike counts.
    const logits = Array.from(r.logits.dataSync());
    tf.dispose([r.logits, r.spikeCounts, batch]);
    snn.dispose();
    snn.network.dispose();
    expect(tf.memory().numTensors).toBe(before);

    const total = { spikelite: 0, reference: 0, differing: 0 };
    for (let i = 0; i < 2; i++) {
      const ref = reference[i]!;
      expect(outputs[i]).toEqual(ref.outputs); // every output spike at every step
      IF_NODES.forEach((node, l) => {
        for (let t = 0; t < T; t++) {
          const mine = spikes[l]![t]![i]!;
          const theirs = ref.spikes[node]![t]!.reduce((a, b) => a + b, 0);
          total.spikelite += mine;
          total.reference += theirs;
          total.differing += Math.abs(mine - theirs);
        }
      });
      expect(logits.slice(i * 10, (i + 1) * 10)).toEqual(ref.outputs.reduce((acc, row) => acc.map((a, j) => a + row[j]!), new Array<number>(10).fill(0)));
    }
    // Every layer fires, and every layer's spike count per step equals the reference's.
    expect(total.reference).toBeGreaterThan(2000);
    for (const node of IF_NODES) expect(reference.some((ref) => ref.spikes[node]!.flat().some((s) => s === 1))).toBe(true);
    expect(total.differing).toBe(0); // measured: 7,726 spikes over the 5 layers, 2 clips, 30 steps
    // The trained network reads the synthetic '7' and '4' as 7 and 4 (15 and 17 output spikes).
    const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));
    expect([argmax(logits.slice(0, 10)), argmax(logits.slice(10))]).toEqual([7, 4]);
  });

  it('runNir on NIR-order rows gives the same output spikes and the membranes of the reference', async () => {
    await initEngine({ backend });
    const r = runNir(graph, rows[0]!, { convention: 'norse', dt: 1e-3, recordVoltages: true, source: 'cnn_sinabs.nir' });
    expect(r.outputs['output']).toEqual(reference[0]!.outputs);
    expect(Object.keys(r.voltages).sort()).toEqual([...IF_NODES].sort());
    // Membranes (after the reset) in NIR's (C, H, W) order: float32 sums against float64 ones.
    let worst = 0;
    for (const node of IF_NODES) {
      r.voltages[node]!.forEach((row, t) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - reference[0]!.voltages[node]![t]![j]!)))));
    }
    expect(worst).toBeLessThan(1e-4); // measured 1.2e-5
  });

  it('round-trips: NIR → spikelite → NIR gives the same graph (every node, parameter and dtype, the same edges)', async () => {
    await initEngine({ backend });
    const snn = createNirSnn(nirToSpikelite(graph, { convention: 'snntorch' }), { timesteps: 1 });
    const { document, warnings } = exportSnnToNir(snn, { convention: 'snntorch', readout: 'none' });
    snn.dispose();
    snn.network.dispose();
    expect(warnings).toEqual([]);
    const back = (await readNir(await writeNir(document))).graph;
    const normal = (g: NirGraph): NirGraph => ({ type: 'NIRGraph', nodes: g.nodes, edges: [...g.edges].sort((a, b) => a.join().localeCompare(b.join())) });
    expect(sameGraph(normal(back), normal(graph))).toBeNull();
  });
});

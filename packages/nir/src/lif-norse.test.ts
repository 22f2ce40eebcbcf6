/**
 * The NIR paper's cross-simulator test: lif_norse.nir (Input → Affine 1×1 → LIF → Output,
 * τ = 2.5 ms, r = 1, v_leak = 0, v_threshold = 0.1, no v_reset) driven by the input column of
 * lif_norse.csv at dt = 1e-4 must give the CSV's output spikes exactly and its voltages to
 * 1e-5. The CSV's voltage is the membrane after the step's input and after the reset (0 at
 * every spike step): step 460 starts from 0.06914552, 0.96·0.06914552 + 0.04 = 0.10638 > 0.1
 * fires, and the CSV has 0.0 there. On cpu and wasm.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import { describe, expect, it } from 'vitest';
import { FIXTURES, fixture } from '../test/fixtures.js';
import { readNir } from './read.js';
import { runNir } from './run.js';

const rows = readFileSync(`${FIXTURES}lif_norse.csv`, 'utf8')
  .trim()
  .split('\n')
  .map((line) => line.split(',').map(Number) as [number, number, number]);

describe.each(['cpu', 'wasm'] as const)('lif_norse conformance on %s', (backend) => {
  it.each(['norse', 'nir'] as const)('reproduces lif_norse.csv with convention %s', async (convention) => {
    await initEngine({ backend });
    const { graph } = await readNir(fixture('lif_norse.nir'), { source: 'lif_norse.nir' });
    const before = tf.memory().numTensors;
    const { outputs, voltages } = runNir(
      graph,
      rows.map(([input]) => [input]),
      { dt: 1e-4, convention, recordVoltages: true, source: 'lif_norse.nir' },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(rows).toHaveLength(1000);
    const spikes = outputs['output']!.map(([s]) => s);
    const expectedSpikes = rows.map(([, , s]) => s);
    expect(expectedSpikes.filter((s) => s === 1)).toHaveLength(4);
    expect(spikes).toEqual(expectedSpikes);
    const v = voltages['1']!.map(([x]) => x!);
    const maxErr = Math.max(...v.map((x, t) => Math.abs(x - rows[t]![1])));
    expect(maxErr).toBeLessThan(1e-5);
    // The spike steps: 460, 510, 710, 760.
    expect(spikes.flatMap((s, t) => (s === 1 ? [t] : []))).toEqual([460, 510, 710, 760]);
  });
});

/**
 * The calls behind `spikelite nir run`, `spikelite import FILE.nir` and `spikelite export
 * --format nir`: runNirFile with the CSV helpers (lif_norse.nir driven by lif_norse.csv's input
 * column reproduces its spikes and membrane through CSV text), summarizeNir, exportSnnToNirFile.
 */
import { readFileSync } from 'node:fs';
import { createEncoder } from '@spikelite/encoding';
import { initEngine } from '@spikelite/engine';
import { Network, SnnModel } from '@spikelite/models';
import { ModelSpec, parseWith } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, fixture } from '../test/fixtures.js';
import { everyPrimitive } from '../test/graphs.js';
import { sameGraph } from '../test/same-graph.js';
import { formatFloat32, formatNirRunCsv, parseNirCsv } from './csv.js';
import { exportSnnToNir } from './export.js';
import { exportSnnToNirFile, runNirFile } from './file.js';
import { readNir } from './read.js';
import { formatNirSummary, summarizeNir } from './summary.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

describe('spikelite nir run: runNirFile and the CSV helpers', () => {
  it('lif_norse.nir driven by the input column of lif_norse.csv writes its spikes and membrane, one row per step', async () => {
    const csv = readFileSync(`${FIXTURES}lif_norse.csv`, 'utf8');
    const input = parseNirCsv(csv, { source: 'lif_norse.csv', columns: [0] });
    expect(input.header).toBeNull();
    expect(input.rows).toHaveLength(1000);
    const run = await runNirFile(fixture('lif_norse.nir'), input.rows, { dt: 1e-4, convention: 'norse', record: 'v', source: 'lif_norse.nir' });
    expect(run).toMatchObject({ version: '0.1.1', steps: 1000, output: { node: 'output', readout: 'spikes', shape: [1] } });
    const text = formatNirRunCsv(run);
    // Read the written CSV back: header, then (spike, membrane) per step.
    const out = parseNirCsv(text, { source: 'out.csv' });
    expect(out.header).toEqual(['output[0]', 'v:1[0]']);
    const expected = parseNirCsv(csv).rows;
    expect(out.rows.map(([s]) => s)).toEqual(expected.map(([, , s]) => s));
    expect(Math.max(...out.rows.map(([, v], t) => Math.abs(v! - expected[t]![1]!)))).toBeLessThan(1e-5);
    expect(text.split('\n')[61]).toBe('0,0.04'); // step 60: the first input spike, v = 0.04 (float32, shortest)
    const plain = await runNirFile(fixture('lif_norse.nir'), input.rows.slice(0, 3), { dt: 1e-4 });
    expect(plain.voltages).toEqual([]);
    expect(formatNirRunCsv(plain)).toBe('output[0]\n0\n0\n0\n');
  });

  it('parseNirCsv: skips a header, names the line and column of a bad value', () => {
    expect(parseNirCsv('a, b\n1, 2\n\n3,4\n')).toEqual({ header: ['a', 'b'], rows: [[1, 2], [3, 4]] });
    expect(parseNirCsv('1,2,3\n4,5,6', { columns: [2, 0] }).rows).toEqual([[3, 1], [6, 4]]);
    expect(() => parseNirCsv('1,2\n3,x', { source: 'in.csv' })).toThrow("in.csv: line 2, column 1: 'x' is not a number");
    expect(() => parseNirCsv('1,2\n3', { source: 'in.csv' })).toThrow('in.csv: line 2 has 1 values, line 1 has 2');
    expect(() => parseNirCsv('1,2', { source: 'in.csv', columns: [3] })).toThrow('in.csv: line 1 has 2 column(s), column 3 was asked for');
    expect(() => parseNirCsv('x\n', { source: 'in.csv' })).toThrow('in.csv: no rows: give one row of input values per step');
  });

  it('formatFloat32 writes the shortest decimal that reads back as the same float32', () => {
    expect([0, -0, 1, Math.fround(0.1), Math.fround(0.04), Math.fround(1 / 3), Math.fround(-2.5e-7), 16777217].map(formatFloat32)).toEqual([
      '0', '0', '1', '0.1', '0.04', '0.33333334', '-2.5e-7', '16777216',
    ]);
    for (const x of [Math.fround(Math.PI), Math.fround(1e-30), Math.fround(123456.789)]) expect(Math.fround(Number(formatFloat32(x)))).toBe(x);
  });

  it('names the file and node when the file does not run', async () => {
    await expect(runNirFile(fixture('lif_norse.nir'), [[1]], { source: 'lif.nir' })).rejects.toThrow(
      "lif.nir: node '1' (LIF): needs dt (seconds per step): NIR files do not store it; pass dt, or the convention 'snntorch' (which implies 1e-4)",
    );
    await expect(runNirFile(fixture('lif_norse.nir'), [[1, 2]], { dt: 1e-4, source: 'lif.nir' })).rejects.toThrow(
      "lif.nir: node 'input' (Input): input row 0 has 2 values, the node's shape (1) holds 1",
    );
  });
});

describe('spikelite import FILE.nir: summarizeNir', () => {
  it('cnn_sinabs.nir: nodes, counts, shapes, and that it runs (as 13 layers, spikes out, needing dt)', async () => {
    const doc = await readNir(fixture('cnn_sinabs.nir'));
    const s = summarizeNir(doc, { source: 'cnn_sinabs.nir' });
    // 800 + 16 + 2304 + 16 + 1152 + 8 + 32768 + 256 + 2560 + 10 weights and biases; r, v_threshold and v_reset of 8970 IF neurons.
    expect({ parameters: s.parameters, neurons: s.neurons, edges: s.edges, types: s.types }).toEqual({
      parameters: 39890 + 3 * 8970,
      neurons: 4096 + 4096 + 512 + 256 + 10,
      edges: 14,
      types: { Conv2d: 3, IF: 5, SumPool2d: 2, Flatten: 1, Affine: 2, Input: 1, Output: 1 },
    });
    expect(s.spikelite).toEqual({ ok: true, layers: 13, readout: 'spikes' });
    expect(s.needsDt).toBe(true);
    expect(summarizeNir(doc, { convention: 'snntorch' }).needsDt).toBe(false);
    const text = formatNirSummary(s).split('\n');
    expect(text[0]).toBe('NIR 0.2.0: 15 nodes, 14 edges, 66,800 parameters, 8,970 neurons');
    expect(text[1]).toBe('input input (2, 34, 34); output output (10)');
    expect(text).toContain('  0       Conv2d     2→16 5×5, stride 2, padding 1, dilation 1, groups 1, input 34×34');
    expect(text).toContain('  1       IF         (16, 16, 16), r 1, v_threshold 1, v_reset 0');
    expect(text.at(-1)).toBe('runs in spikelite: yes, as 13 layers; the Output carries spikes; needs dt (seconds per step): NIR files do not store it');
  });

  it('says why a graph does not run', () => {
    const s = summarizeNir({ version: '1.0.0', graph: everyPrimitive() }, { source: 'all.nir' });
    expect(s.spikelite).toEqual({ ok: false, reason: 'all.nir: the graph has 2 Input nodes (input, seq_in); the NIR → spikelite mapping takes exactly one' });
    expect(s.nodes.find((n) => n.path === 'sub/cuba')?.detail).toBe('(4), tau_syn 1…4 ms, tau_mem 2…8 ms, r 1, w_in 2, v_threshold 0.25…1, v_reset -0.125');
    expect(formatNirSummary(s).split('\n').at(-1)).toBe(`runs in spikelite: no: ${s.spikelite.ok ? '' : s.spikelite.reason}`);
  });
});

describe('spikelite export --format nir: exportSnnToNirFile', () => {
  it('writes the export as file bytes that read back to the same graph, with the warnings', async () => {
    const spec = parseWith(ModelSpec, { input: { shape: [6] }, layers: [{ kind: 'linear', units: 4 }, { kind: 'activation', fn: 'relu' }, { kind: 'linear', units: 2 }] }, 'tiny');
    const net = Network.create(spec, { seed: 4 });
    const snn = new SnnModel(net, { timesteps: 3, neuron: { kind: 'lif', leak: 0.5, threshold: 0.01, reset: 'soft' } as never, encoder: createEncoder({ kind: 'direct' }, { timesteps: 3 }) });
    const file = await exportSnnToNirFile(snn, { compression: 'gzip' });
    expect(file.warnings).toHaveLength(1);
    expect([file.dt, file.convention]).toEqual([1e-3, 'nir']);
    const back = await readNir(file.bytes);
    expect(back.version).toBe('1.0.0');
    expect(sameGraph(back.graph, exportSnnToNir(snn).document.graph)).toBeNull();
    snn.dispose();
    net.dispose();
  });
});

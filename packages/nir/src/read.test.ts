import { describe, expect, it } from 'vitest';
import { fixture } from '../test/fixtures.js';
import { readNir } from './read.js';

describe('readNir on the reference fixtures', () => {
  it('reads lif_norse.nir (version 0.1.1): Input → Affine → LIF → Output, v_reset defaulted to 0', async () => {
    const doc = await readNir(fixture('lif_norse.nir'), { source: 'lif_norse.nir' });
    expect(doc.version).toBe('0.1.1');
    const g = doc.graph;
    expect(Object.keys(g.nodes).sort()).toEqual(['0', '1', 'input', 'output']);
    expect(g.edges).toEqual([
      ['input', '0'],
      ['0', '1'],
      ['1', 'output'],
    ]);
    const affine = g.nodes['0']!;
    const lif = g.nodes['1']!;
    if (affine.type !== 'Affine' || lif.type !== 'LIF') throw new Error(`unexpected types ${affine.type} ${lif.type}`);
    expect(affine.weight.shape).toEqual([1, 1]);
    expect(Array.from(affine.weight.data)).toEqual([1]);
    expect(Array.from(affine.bias.data)).toEqual([0]);
    expect(lif.tau.dtype).toBe('float32');
    expect(lif.tau.data[0]).toBe(Math.fround(0.0025));
    expect(lif.v_threshold.data[0]).toBe(Math.fround(0.1));
    expect(Array.from(lif.r.data)).toEqual([1]);
    expect(Array.from(lif.v_leak.data)).toEqual([0]);
    // Absent in 0.1.1: the reference fills zeros like v_threshold.
    expect(lif.v_reset).toEqual({ dtype: 'float32', shape: [1], data: new Float32Array([0]) });
    expect(g.nodes['input']).toEqual({ type: 'Input', shape: [1] });
  });

  it('reads cnn_sinabs.nir (version 0.2.0): Conv2d, IF, SumPool2d, Flatten, Affine', async () => {
    const doc = await readNir(fixture('cnn_sinabs.nir'), { source: 'cnn_sinabs.nir' });
    expect(doc.version).toBe('0.2.0');
    const types = Object.fromEntries(Object.entries(doc.graph.nodes).map(([k, n]) => [k, n.type]));
    expect(types).toEqual({
      '0': 'Conv2d', '1': 'IF', '2': 'Conv2d', '3': 'IF', '4': 'SumPool2d', '5': 'Conv2d', '6': 'IF',
      '7': 'SumPool2d', '8': 'Flatten', '9': 'Affine', '10': 'IF', '11': 'Affine', '12': 'IF', input: 'Input', output: 'Output',
    });
    const conv0 = doc.graph.nodes['0']!;
    if (conv0.type !== 'Conv2d') throw new Error('expected Conv2d');
    expect(conv0.weight.shape).toEqual([16, 2, 5, 5]);
    expect(conv0.stride).toEqual([2, 2]);
    expect(conv0.padding).toEqual([1, 1]);
    expect(conv0.dilation).toEqual([1, 1]);
    expect(conv0.groups).toBe(1);
    expect(conv0.input_shape).toEqual([34, 34]);
    expect(conv0.weight.data[0]).toBe(Math.fround(-0.25734219));
    const flat = doc.graph.nodes['8']!;
    expect(flat).toEqual({ type: 'Flatten', start_dim: 0, end_dim: -1, input_type: [8, 4, 4] });
    const pool = doc.graph.nodes['4']!;
    expect(pool).toEqual({ type: 'SumPool2d', kernel_size: [2, 2], stride: [2, 2], padding: [0, 0] });
    const if1 = doc.graph.nodes['1']!;
    if (if1.type !== 'IF') throw new Error('expected IF');
    expect(if1.r.shape).toEqual([16, 16, 16]);
    expect(if1.v_reset.shape).toEqual([16, 16, 16]);
    expect(doc.graph.nodes['input']).toEqual({ type: 'Input', shape: [2, 34, 34] });
    expect(doc.graph.edges).toHaveLength(14);
  });
});

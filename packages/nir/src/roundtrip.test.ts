import { describe, expect, it } from 'vitest';
import { everyPrimitive } from '../test/graphs.js';
import { walkNodes } from './graph.js';
import { NIR_TYPES } from './primitives.js';
import { readNir } from './read.js';
import { nirTensor } from './tensor.js';
import { NIR_WRITE_VERSION, writeNir } from './write.js';

describe('writeNir then readNir', () => {
  it('gives back identical parameters for every primitive, dtype, subgraph and metadata', async () => {
    const graph = everyPrimitive();
    const types = new Set([...walkNodes(graph)].map((n) => n.node.type));
    expect([...types].sort()).toEqual([...NIR_TYPES].sort()); // the graph covers every type
    const bytes = await writeNir(graph);
    const doc = await readNir(bytes, { source: 'roundtrip.nir' });
    expect(doc.version).toBe(NIR_WRITE_VERSION);
    // toEqual compares typed arrays element by element and their classes (Float32Array stays Float32Array).
    expect(doc.graph).toEqual(graph);
    const lif = doc.graph.nodes['lif'];
    if (lif?.type !== 'LIF') throw new Error('expected LIF');
    expect(lif.tau.data).toBeInstanceOf(Float32Array);
    expect(lif.metadata).toEqual({ source: 'graphs.ts', dt: { dtype: 'float64', shape: [], data: new Float64Array([1e-4]) }, nested: { note: 'ü ∂ strings are UTF-8' } });
    // Twice round: the same bytes' content again.
    expect((await readNir(await writeNir(doc))).graph).toEqual(graph);
  });

  it('gzip compression: the same graph back, and a smaller file when arrays are large', async () => {
    const graph = everyPrimitive();
    const gz = await writeNir(graph, { compression: 'gzip' });
    expect((await readNir(gz)).graph).toEqual(graph);
    const big = { ...graph, nodes: { ...graph.nodes, aff: { type: 'Affine' as const, weight: nirTensor(new Array(4 * 12).fill(0.5), [4, 12]), bias: nirTensor([0, 0, 0, 0]) } } };
    const wide = { type: 'NIRGraph' as const, nodes: { w: { type: 'Linear' as const, weight: nirTensor(new Array(256 * 256).fill(0.25), [256, 256]) } }, edges: [] };
    const [plain, packed] = [await writeNir(wide), await writeNir(wide, { compression: 'gzip' })];
    expect(packed.length).toBeLessThan(plain.length / 10);
    expect((await readNir(packed)).graph).toEqual(wide);
    expect((await readNir(await writeNir(big, { compression: 'gzip' }))).graph).toEqual(big);
  });

  it('keeps the version of a document and writes another on request', async () => {
    const graph = everyPrimitive();
    expect((await readNir(await writeNir({ version: '0.2.0', graph }))).version).toBe('0.2.0');
    expect((await readNir(await writeNir(graph, { version: '1.0.7' }))).version).toBe('1.0.7');
  });
});

import { describe, expect, it } from 'vitest';
import { everyPrimitive } from '../test/graphs.js';
import { walkNodes } from './graph.js';
import { NIR_TYPES } from './primitives.js';
import { readNir } from './read.js';
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

  it('keeps the version of a document and writes another on request', async () => {
    const graph = everyPrimitive();
    expect((await readNir(await writeNir({ version: '0.2.0', graph }))).version).toBe('0.2.0');
    expect((await readNir(await writeNir(graph, { version: '1.0.7' }))).version).toBe('1.0.7');
  });
});

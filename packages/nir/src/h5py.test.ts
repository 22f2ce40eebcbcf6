/**
 * Cross-checks with the reference layout, against committed artefacts made by
 * tooling/fixtures/nir/make_fixtures.py (h5py; CI needs no Python):
 *  - h5py_all.nir, written by h5py by the reference's rules (every primitive, a nested
 *    subgraph, metadata, gzip): spikelite reads it, and lays it out again dataset for dataset
 *    as h5py wrote it (h5py_all.json: paths, dtypes, shapes, values);
 *  - spikelite_all.nir, that file written again by spikelite: h5py_all.json-style record of
 *    what h5py saw in it (spikelite_all.h5py.json) equals the layout the writer produces now,
 *    its strings are variable-length UTF-8, and a reader following the reference's rules
 *    accepts every node; the same for spikelite_all_gzip.nir (compression: 'gzip');
 *  - spikelite_snn.nir, a spikelite SNN exported by exportSnnToNir (test/snn-fixture.ts): h5py
 *    saw exactly the layout and dtypes the export produces now (float64 τ and r, float32
 *    weights and thresholds, int64 sizes, vlen UTF-8 strings) and the reference's rules accept it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURES, fixture } from '../test/fixtures.js';
import { sameGraph } from '../test/same-graph.js';
import { fixtureExport } from '../test/snn-fixture.js';
import { isGroup, isStrings, type H5Group } from './hdf5.js';
import { readNir } from './read.js';
import { nirTree } from './write.js';

interface DatasetView {
  dtype: string;
  shape: number[];
  values: (number | string)[];
  compression?: string | null;
  string?: { encoding: string | null; vlen: boolean | null };
}

const json = (name: string) => JSON.parse(readFileSync(`${FIXTURES}${name}`, 'utf8')) as { datasets: Record<string, DatasetView>; referenceCheck?: string[] };

/** A tree as h5py reports it: path → dtype (numpy's name; strings are 'object'), shape, values. */
function view(tree: H5Group, prefix = ''): Record<string, DatasetView> {
  const out: Record<string, DatasetView> = {};
  for (const [name, v] of Object.entries(tree.entries)) {
    const path = prefix === '' ? name : `${prefix}/${name}`;
    if (isGroup(v)) Object.assign(out, view(v, path));
    else if (isStrings(v)) out[path] = { dtype: 'object', shape: [...v.shape], values: [...v.values] };
    else if ('dtype' in v) out[path] = { dtype: v.dtype, shape: [...v.shape], values: Array.from(v.data) };
  }
  return out;
}

const withoutStorage = (d: Record<string, DatasetView>) =>
  Object.fromEntries(Object.entries(d).map(([k, { dtype, shape, values }]) => [k, { dtype, shape, values }]));

describe('layout against h5py (committed fixtures)', () => {
  it('reads h5py_all.nir and lays it out exactly as h5py wrote it', async () => {
    const doc = await readNir(fixture('h5py_all.nir'), { source: 'h5py_all.nir' });
    expect(doc.version).toBe('1.0.0');
    const h5py = json('h5py_all.json').datasets;
    expect(Object.keys(h5py).length).toBeGreaterThan(80);
    expect(h5py['node/nodes/aff/weight']!.compression).toBe('gzip'); // the reader handled deflate
    expect(view(nirTree(doc))).toEqual(withoutStorage(h5py));
  });

  it('h5py saw in spikelite_all.nir exactly the layout the writer produces, with vlen UTF-8 strings and nothing the reference rejects', async () => {
    const doc = await readNir(fixture('h5py_all.nir'));
    const seen = json('spikelite_all.h5py.json');
    expect(seen.referenceCheck).toEqual([]);
    expect(withoutStorage(seen.datasets)).toEqual(view(nirTree(doc)));
    const strings = Object.values(seen.datasets).filter((d) => d.dtype === 'object');
    expect(strings.length).toBeGreaterThan(20);
    for (const s of strings) expect(s.string).toEqual({ encoding: 'utf-8', vlen: true });
    // And spikelite reads its own file back to the same graph.
    expect(await readNir(fixture('spikelite_all.nir'))).toEqual(doc);
  });

  it('with compression: gzip, h5py sees the same datasets, every non-scalar array deflated', async () => {
    const doc = await readNir(fixture('h5py_all.nir'));
    const seen = json('spikelite_all_gzip.h5py.json');
    expect(seen.referenceCheck).toEqual([]);
    expect(withoutStorage(seen.datasets)).toEqual(view(nirTree(doc)));
    for (const [path, d] of Object.entries(seen.datasets)) {
      const array = d.dtype !== 'object' && d.shape.length > 0 && d.values.length > 0;
      expect([path, d.compression]).toEqual([path, array ? 'gzip' : null]);
    }
    expect(await readNir(fixture('spikelite_all_gzip.nir'))).toEqual(doc);
  });

  it('reads the 1.0.x layout with input_type/output_type groups (derived data, dropped)', async () => {
    const doc = await readNir(fixture('h5py_v1_types.nir'), { source: 'h5py_v1_types.nir' });
    const { aff, lif, input } = doc.graph.nodes;
    expect(input).toEqual({ type: 'Input', shape: [3] });
    if (aff?.type !== 'Affine' || lif?.type !== 'LIF') throw new Error('unexpected node types');
    expect(Object.keys(aff).sort()).toEqual(['bias', 'type', 'weight']);
    expect(aff.weight.shape).toEqual([2, 3]);
    expect(Object.keys(lif).sort()).toEqual(['r', 'tau', 'type', 'v_leak', 'v_reset', 'v_threshold']);
  });

  it('h5py saw in spikelite_snn.nir (an exported SNN) the layout and dtypes the export produces now', async () => {
    const { document, warnings } = await fixtureExport();
    expect(warnings).toHaveLength(1); // the soft reset of the last LIF layer
    const seen = json('spikelite_snn.h5py.json');
    expect(seen.referenceCheck).toEqual([]);
    expect(withoutStorage(seen.datasets)).toEqual(view(nirTree(document)));
    const dtypes = (suffix: string) => [...new Set(Object.entries(seen.datasets).filter(([p]) => p.endsWith(suffix)).map(([, d]) => d.dtype))];
    expect([dtypes('/tau'), dtypes('/r'), dtypes('/weight'), dtypes('/v_threshold'), dtypes('/stride'), dtypes('/type')]).toEqual([
      ['float64'], ['float64'], ['float32'], ['float32'], ['int64'], ['object'],
    ]);
    for (const s of Object.values(seen.datasets).filter((d) => d.dtype === 'object')) expect(s.string).toEqual({ encoding: 'utf-8', vlen: true });
    expect(sameGraph((await readNir(fixture('spikelite_snn.nir'))).graph, document.graph)).toBeNull();
  });
});

/**
 * Malformed and older files, written as raw HDF5 trees (bypassing writeNir's validation):
 * each gives exactly one line naming the file, the node (its path) and the field.
 */
import { describe, expect, it } from 'vitest';
import { fixture } from '../test/fixtures.js';
import { everyPrimitive } from '../test/graphs.js';
import { NirError } from './errors.js';
import { isGroup, writeHdf5, type H5Group, type H5Value } from './hdf5.js';
import { readNir } from './read.js';
import { filledTensor, nirTensor } from './tensor.js';
import { nirTree, writeNir } from './write.js';

/** A copy of `tree` with the dataset or group at `path` ('node/nodes/lif/tau') replaced, or removed when `value` is undefined. */
function edit(tree: H5Group, path: string, value: H5Value | undefined): H5Group {
  const [head, ...rest] = path.split('/');
  const entries = { ...tree.entries };
  if (rest.length === 0) {
    if (value === undefined) delete entries[head!];
    else entries[head!] = value;
  } else {
    const child = entries[head!];
    if (!isGroup(child)) throw new Error(`no group ${head}`);
    entries[head!] = edit(child, rest.join('/'), value);
  }
  return { kind: 'group', entries };
}

const base = () => nirTree({ version: '1.0.0', graph: everyPrimitive() });
const text = (s: string): H5Value => ({ kind: 'strings', shape: [], values: [s] });

async function errorOf(tree: H5Group | Uint8Array): Promise<NirError> {
  const bytes = tree instanceof Uint8Array ? tree : await writeHdf5(tree);
  try {
    await readNir(bytes, { source: 'bad.nir' });
  } catch (e) {
    if (e instanceof NirError) return e;
    throw e;
  }
  throw new Error('expected readNir to fail');
}

describe('malformed NIR files: one line naming the node and the field', () => {
  const cases: [string, () => H5Group, string][] = [
    ['a missing parameter', () => edit(base(), 'node/nodes/lif/tau', undefined),
      "bad.nir: node 'lif' (LIF): field 'tau': expected a numeric array, got nothing (the field is missing)"],
    ['a wrong kind of dataset', () => edit(base(), 'node/nodes/lif/v_threshold', text('1.0')),
      `bad.nir: node 'lif' (LIF): field 'v_threshold': expected a numeric array, got the string "1.0"`],
    ['a 3-D Conv2d weight', () => edit(base(), 'node/nodes/conv/weight', filledTensor([4, 1, 3], 0)),
      "bad.nir: node 'conv' (Conv2d): field 'weight': expected a 4-D weight (C_out, C_in/groups, kH, kW), got shape [4, 1, 3]"],
    ['a bias of the wrong length', () => edit(base(), 'node/nodes/conv/bias', filledTensor([3], 0)),
      "bad.nir: node 'conv' (Conv2d): field 'bias': has 3 values but the weight has 4 output channels"],
    ['a bad padding string', () => edit(base(), 'node/nodes/conv/padding', text('full')),
      "bad.nir: node 'conv' (Conv2d): field 'padding': expected two integers, 'same' or 'valid', got the string \"full\""],
    ['a fractional stride', () => edit(base(), 'node/nodes/sum/stride', nirTensor([1.5, 2], [2], 'float64')),
      "bad.nir: node 'sum' (SumPool2d): field 'stride': expected a stride (height, width): 2 integer(s) ≥ 1, got a float64 array of shape [2]"],
    ['mismatched neuron shapes', () => edit(base(), 'node/nodes/lif/v_leak', filledTensor([3], 0)),
      "bad.nir: node 'lif' (LIF): field 'v_leak': shape [3] does not match the neuron shape [4] (of 'tau')"],
    ['a zero time constant', () => edit(base(), 'node/nodes/li/tau', nirTensor([0.01, 0, 0.03, 0.04], [4], 'float64')),
      "bad.nir: node 'li' (LI): field 'tau': time constants must be > 0, got 0"],
    ['a problem inside a subgraph', () => edit(base(), 'node/nodes/sub/nodes/cuba/tau_syn', undefined),
      "bad.nir: node 'sub/cuba' (CubaLIF): field 'tau_syn': expected a numeric array, got nothing (the field is missing)"],
    ['an unknown field', () => edit(base(), 'node/nodes/lif/beta', filledTensor([4], 0.9)),
      "bad.nir: node 'lif' (LIF): field 'beta': unknown field for a LIF node"],
    ['an unknown type', () => edit(base(), 'node/nodes/thr/type', text('Izhikevich')),
      "bad.nir: node 'thr': field 'type': unknown NIR type 'Izhikevich' (known: NIRGraph, Input, Output, Affine, Linear, Scale, Threshold, Delay, I, IF, LI, LIF, CubaLI, CubaLIF, Conv1d, Conv2d, SumPool2d, AvgPool2d, Flatten)"],
    ['a node without a type', () => edit(base(), 'node/nodes/thr/type', undefined),
      "bad.nir: node 'thr': field 'type': expected a string, got nothing (the field is missing)"],
    ['an edge to a missing node', () => edit(base(), 'node/edges', { kind: 'strings', shape: [1, 2], values: ['input', 'nope'] }),
      "bad.nir: node '(root)' (NIRGraph): field 'edges': edge 0 ('input' → 'nope') names 'nope', which is not a node of this graph"],
    ['an edge into a subgraph node that does not exist', () => edit(base(), 'node/edges', { kind: 'strings', shape: [1, 2], values: ['lif', 'sub.nope'] }),
      "bad.nir: node '(root)' (NIRGraph): field 'edges': edge 0 ('lif' → 'sub.nope') names 'sub.nope', which is not a node of this graph"],
    ['edges that are not pairs', () => edit(base(), 'node/edges', { kind: 'strings', shape: [3], values: ['a', 'b', 'c'] }),
      "bad.nir: node '(root)' (NIRGraph): field 'edges': expected an (E, 2) array of node names, got a string array of shape [3]"],
    ['Flatten dims outside its input', () => edit(base(), 'node/nodes/flat/start_dim', nirTensor([3], [], 'int64')),
      "bad.nir: node 'flat' (Flatten): field 'start_dim': 3 is outside input_type [4, 1, 3]"],
    ['a node that is a dataset', () => edit(base(), 'node/nodes/thr', filledTensor([1], 0)),
      "bad.nir: node 'thr': expected a group, got a float32 array of shape [1]"],
    ['no version', () => edit(base(), 'version', undefined), "bad.nir: no 'version' dataset at the root: not a NIR file"],
    ['a version from the future', () => edit(base(), 'version', text('2.1.0')), 'bad.nir: NIR version 2.1.0 is newer than this reader knows (0.1 to 1.x)'],
    ['a version that is not one', () => edit(base(), 'version', text('latest')), 'bad.nir: version: expected a version such as "1.0.0", got "latest"'],
    ['no node group', () => edit(base(), 'node', undefined), "bad.nir: no 'node' group at the root: not a NIR file"],
  ];

  for (const [what, tree, message] of cases) {
    it(what, async () => {
      const e = await errorOf(tree());
      expect(e.message).toBe(message);
      expect(e.message.split('\n')).toHaveLength(1);
    });
  }

  it('names the node and field as properties too', async () => {
    const e = await errorOf(edit(base(), 'node/nodes/sub/nodes/cuba/tau_syn', undefined));
    expect([e.source, e.node, e.field]).toEqual(['bad.nir', 'sub/cuba', 'tau_syn']);
  });

  it('not HDF5 at all, and a truncated file', async () => {
    expect((await errorOf(new TextEncoder().encode('{"nodes": {}}'))).message).toBe(
      'bad.nir: not an HDF5 file (no HDF5 signature); NIR files are HDF5',
    );
    const whole = fixture('lif_norse.nir');
    const e = await errorOf(whole.subarray(0, 2000));
    expect(e.message).toBe(`bad.nir: truncated: the HDF5 superblock says the file is ${whole.length} bytes, got 2000`);
    expect(e.message.split('\n')).toHaveLength(1);
  });

  it('writeNir refuses a bad graph with the same kind of line, before writing', async () => {
    const graph = everyPrimitive();
    const bad = { ...graph, nodes: { ...graph.nodes, aff: { type: 'Affine' as const, weight: filledTensor([4, 12], 0), bias: filledTensor([5], 0) } } };
    await expect(writeNir(bad, { source: 'out.nir' })).rejects.toThrow(
      "out.nir: node 'aff' (Affine): field 'bias': has 5 values but the weight [4, 12] has 4 outputs",
    );
  });
});

describe('older layouts', () => {
  it('fills v_reset = 0 (IF, LIF, CubaLIF) and w_in = 1 (CubaLI, CubaLIF) like the parameters, when absent', async () => {
    let tree = base();
    for (const p of ['node/nodes/lif/v_reset', 'node/nodes/if/v_reset', 'node/nodes/sub/nodes/cuba/v_reset', 'node/nodes/sub/nodes/cuba/w_in', 'node/nodes/cubali/w_in']) {
      tree = edit(tree, p, undefined);
    }
    tree = edit(tree, 'node/nodes/li/tau', nirTensor([0.01, 0.02, 0.03, 0.04], [4], 'float64'));
    const doc = await readNir(await writeHdf5(tree));
    const { lif, cubali, sub } = doc.graph.nodes;
    if (lif?.type !== 'LIF' || cubali?.type !== 'CubaLI' || sub?.type !== 'NIRGraph') throw new Error('unexpected types');
    expect(lif.v_reset).toEqual(filledTensor([4], 0));
    expect(cubali.w_in).toEqual(filledTensor([4], 1));
    const cuba = sub.nodes['cuba'];
    if (cuba?.type !== 'CubaLIF') throw new Error('expected CubaLIF');
    expect(cuba.v_reset).toEqual(filledTensor([4], 0));
    expect(cuba.w_in).toEqual(filledTensor([4], 1));
  });

  it('reads scalar ints for pairs (stride=2 means (2, 2)) and a Flatten input_type group', async () => {
    let tree = edit(base(), 'node/nodes/sum/stride', nirTensor([2], [], 'int64'));
    tree = edit(tree, 'node/nodes/flat/input_type', { kind: 'group', entries: { input: nirTensor([4, 1, 3], [3], 'int64') } });
    const doc = await readNir(await writeHdf5(tree));
    expect(doc.graph.nodes['sum']).toMatchObject({ stride: [2, 2] });
    expect(doc.graph.nodes['flat']).toMatchObject({ input_type: [4, 1, 3] });
  });
});

/**
 * Everything outside the supported subset is one OnnxImportError that names the file, the
 * node and what is supported; unreadable files name the file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildGraph, i64, w, type GraphSpec } from '../test/graphs.js';
import { encodeModel } from './proto.js';
import { importOnnx, OnnxImportError } from './index.js';

const FIXTURES = new URL('../../../tooling/fixtures/onnx/', import.meta.url).pathname;

function importError(source: string | Uint8Array, label?: string): OnnxImportError {
  try {
    importOnnx(source, label === undefined ? {} : { label });
  } catch (e) {
    expect(e).toBeInstanceOf(OnnxImportError);
    return e as OnnxImportError;
  }
  throw new Error('expected the import to fail');
}

const graphError = (spec: GraphSpec): OnnxImportError => importError(buildGraph(spec), 'bad.onnx');

describe('unsupported models', () => {
  it('the PyTorch group=2 fixture names the node, the attribute and what is supported', () => {
    const path = `${FIXTURES}unsupported-group-conv.onnx`;
    const e = importError(path);
    expect(e.message).toBe(`${path}: node '/c2/Conv' (Conv): group=2 is not supported (groups=1 only)`);
    expect(e).toMatchObject({ file: path, node: '/c2/Conv', opType: 'Conv' });
  });

  const cases: Array<[string, GraphSpec, string]> = [
    [
      'an unknown op',
      { input: { name: 'x', dims: ['N', 4] }, nodes: [{ op: 'Erf', inputs: ['x'], name: 'erf1' }] },
      "bad.onnx: node 'erf1' (Erf): op Erf is not supported (supported: Conv, Gemm, MatMul",
    ],
    [
      'an op of another domain',
      { input: { name: 'x', dims: ['N', 4] }, nodes: [{ op: 'FusedGemm', domain: 'com.microsoft', inputs: ['x'], name: 'fg' }] },
      "bad.onnx: node 'fg' (FusedGemm): ops of domain 'com.microsoft' are not supported",
    ],
    [
      'Clip other than ReLU/ReLU6',
      { input: { name: 'x', dims: ['N', 4] }, inits: { lo: { dims: [], data: [0] }, hi: { dims: [], data: [1] } }, nodes: [{ op: 'Clip', inputs: ['x', 'lo', 'hi'], name: 'c' }] },
      "node 'c' (Clip): Clip(min=0, max=1) is not supported (only Clip(0, 6) as ReLU6 and Clip(0, ∞) as ReLU)",
    ],
    [
      'symmetric pool padding that is not SAME for this size',
      { nodes: [{ op: 'MaxPool', inputs: ['x'], name: 'mp', attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } }] },
      "node 'mp' (MaxPool): pads [1,1,1,1] on a 6x6 input are not supported: pooling padding must be none or SAME (here pads [0, 0, 1, 1])",
    ],
    [
      'AveragePool counting padded zeros',
      { nodes: [{ op: 'AveragePool', inputs: ['x'], name: 'ap', attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 } }] },
      "node 'ap' (AveragePool): count_include_pad=1 with padding is not supported",
    ],
    [
      'an Add of a constant outside a MatMul bias',
      { inits: { k: w([2, 1, 3, 3], 1), c: w([1, 2, 1, 1], 2) }, nodes: [{ op: 'Conv', inputs: ['x', 'k'] }, { op: 'Add', inputs: ['v0', 'c'], name: 'add' }] },
      "node 'add' (Add): Add is supported only where two branches of one value merge (a residual block), or as the bias right after a MatMul",
    ],
    [
      'a Mul that is not SiLU',
      { inits: { c: { dims: [], data: [2] } }, nodes: [{ op: 'Mul', inputs: ['x', 'c'], name: 'm' }] },
      "node 'm' (Mul): Mul is supported only as x·Sigmoid(x) (SiLU)",
    ],
    [
      'branches merging in a Concat',
      {
        inits: { a: w([2, 1, 1, 1], 1), b: w([2, 1, 1, 1], 2) },
        nodes: [
          { op: 'Conv', inputs: ['x', 'a'], name: 'ca' },
          { op: 'Conv', inputs: ['x', 'b'], name: 'cb' },
          { op: 'Concat', inputs: ['v0', 'v1'], name: 'cat', attrs: { axis: 1 } },
        ],
      },
      "bad.onnx: the two branches from value 'x' (into 'ca' (Conv), 'cb' (Conv)) merge in node 'cat' (Concat); only branches merging in a two-input Add",
    ],
    [
      'a value feeding three nodes',
      {
        nodes: [
          { op: 'Relu', inputs: ['x'] },
          { op: 'Tanh', inputs: ['x'] },
          { op: 'Sigmoid', inputs: ['x'] },
          { op: 'Sum', inputs: ['v0', 'v1', 'v2'] },
        ],
      },
      "bad.onnx: value 'x' feeds 3 nodes ('Relu_0' (Relu), 'Tanh_1' (Tanh), 'Sigmoid_2' (Sigmoid)); only forks into two branches",
    ],
    [
      'a Reshape that is not a flatten',
      { inits: { s: i64([0, 2, -1]) }, nodes: [{ op: 'Reshape', inputs: ['x', 's'], name: 'r' }] },
      "node 'r' (Reshape): Reshape to [0, 2, -1] of [N, 1, 6, 6] is not supported (only a flatten to [N, -1])",
    ],
    [
      'a Gemm on an image',
      { inits: { b: w([36, 2], 1) }, nodes: [{ op: 'Gemm', inputs: ['x', 'b'], name: 'g' }] },
      "node 'g' (Gemm): expects a 2-D input [N, features] (flatten first), got [N, 1, 6, 6]",
    ],
    [
      'Gemm with transA',
      { input: { name: 'x', dims: ['N', 4] }, inits: { b: w([4, 2], 1) }, nodes: [{ op: 'Gemm', inputs: ['x', 'b'], name: 'g', attrs: { transA: 1 } }] },
      "node 'g' (Gemm): transA=1 is not supported",
    ],
    [
      'a Flatten with axis 2',
      { nodes: [{ op: 'Flatten', inputs: ['x'], name: 'f', attrs: { axis: 2 } }] },
      "node 'f' (Flatten): axis=2 is not supported (Flatten with axis=1, keeping the batch, only)",
    ],
    [
      'a conv weight computed in the graph',
      { nodes: [{ op: 'Relu', inputs: ['x'] }, { op: 'Conv', inputs: ['v0', 'v0'], name: 'c' }] },
      "node 'c' (Conv): expects one computed input (and constants), got 2 computed inputs (v0, v0)",
    ],
    [
      'opset 5',
      { opset: 5, input: { name: 'x', dims: ['N', 4] }, nodes: [{ op: 'Relu', inputs: ['x'] }] },
      'bad.onnx: opset 5 is not supported (supported: 7–24)',
    ],
    [
      'an output that is not [N, classes]',
      { nodes: [{ op: 'Relu', inputs: ['x'] }] },
      "bad.onnx: the output 'v0' is [N, 1, 6, 6]; expected [N, classes]",
    ],
  ];
  it.each(cases)('%s', (_, spec, message) => {
    expect(graphError(spec).message).toContain(message);
  });

  it('a model with two inputs', () => {
    const bytes = encodeModel({
      ir_version: 8,
      opset_import: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        node: [{ op_type: 'Add', input: ['a', 'b'], output: ['y'] }],
        input: [{ name: 'a' }, { name: 'b' }],
        output: [{ name: 'y' }],
      },
    });
    expect(importError(bytes, 'two.onnx').message).toBe('two.onnx: expected one graph input, found 2 (a, b)');
  });

  it('weights in external data are refused by name', () => {
    const bytes = encodeModel({
      ir_version: 8,
      opset_import: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        node: [{ op_type: 'MatMul', name: 'mm', input: ['x', 'W'], output: ['y'] }],
        initializer: [{ name: 'W', dims: [4, 2], data_type: 1, data_location: 1, external_data: [{ key: 'location', value: 'w.bin' }] }],
        input: [{ name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: 'N' }, { dim_value: 4 }] } } } }],
        output: [{ name: 'y' }],
      },
    });
    const e = importError(bytes, 'ext.onnx');
    expect(e.message).toContain("ext.onnx: node 'mm' (MatMul): cannot evaluate its constant input 'W': tensor 'W' is stored in external data");
  });
});

describe('unreadable files', () => {
  const good = readFileSync(`${FIXTURES}fmnist-mlp.onnx`);

  it('a truncated file names the file', () => {
    const e = importError(good.subarray(0, Math.floor(good.length / 2)), 'half.onnx');
    expect(e.message).toMatch(/^half\.onnx: not a readable ONNX model \(.+\); the file may be truncated or not ONNX$/);
  });

  it('bytes that are not ONNX at all', () => {
    const text = new TextEncoder().encode('this is not an onnx file, just some text\n');
    expect(importError(text, 'notes.txt').message).toMatch(/^notes\.txt: (not a readable ONNX model|not an ONNX model)/);
  });

  it('an empty file and a missing path', () => {
    expect(importError(new Uint8Array(0), 'empty.onnx').message).toBe('empty.onnx: the file is empty');
    expect(importError('/nonexistent/model.onnx').message).toMatch(/^\/nonexistent\/model\.onnx: cannot read the file \(ENOENT/);
  });

  it('a file whose graph bytes were overwritten fails with the file named, never a partial model', () => {
    // Corrupt the middle of the weights region and the node region in turn.
    for (const at of [0.02, 0.5, 0.98]) {
      const bad = Uint8Array.from(good);
      const i = Math.floor(bad.length * at);
      bad.fill(0xff, i, i + 64);
      try {
        const r = importOnnx(bad, { label: 'corrupt.onnx' });
        // Bytes inside a float tensor decode as other floats (NaN): that is a valid model.
        expect(r.spec.layers.length).toBeGreaterThan(0);
      } catch (e) {
        expect(e).toBeInstanceOf(OnnxImportError);
        expect((e as Error).message.startsWith('corrupt.onnx: ')).toBe(true);
      }
    }
  });
});

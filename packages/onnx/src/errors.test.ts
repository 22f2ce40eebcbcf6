/**
 * Everything outside the supported subset is one OnnxImportError that names the file, the
 * node and what is supported; unreadable files name the file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGraph, i64, pos, w, type GraphSpec } from '../test/graphs.js';
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
  const cases: Array<[string, GraphSpec, string]> = [
    [
      'an unknown op',
      { input: { name: 'x', dims: ['N', 4] }, nodes: [{ op: 'Erf', inputs: ['x'], name: 'erf1' }] },
      "bad.onnx: node 'erf1' (Erf): op Erf is not supported (supported: Add, AveragePool, BatchNormalization, Cast, Clip, Concat, Conv,",
    ],
    [
      'an op of another domain',
      { input: { name: 'x', dims: ['N', 4] }, nodes: [{ op: 'FusedGemm', domain: 'com.microsoft', inputs: ['x'], name: 'fg' }] },
      "bad.onnx: node 'fg' (FusedGemm): ops of domain 'com.microsoft' are not supported",
    ],
    [
      'a 3-D convolution',
      { input: { name: 'x', dims: ['N', 1, 4, 4, 4] }, inits: { k: w([2, 1, 3, 3, 3], 1) }, nodes: [{ op: 'Conv', inputs: ['x', 'k'], name: 'c3' }] },
      "bad.onnx: node 'c3' (Conv): weight dims [2,1,3,3,3]: only 1-D and 2-D convolutions are supported",
    ],
    [
      'a conv weight computed from the data',
      { nodes: [{ op: 'Relu', inputs: ['x'] }, { op: 'Conv', inputs: ['v0', 'v0'], name: 'c' }] },
      "node 'c' (Conv): its weight 'v0' must be a constant (an initializer or computed from constants), not computed from the data",
    ],
    [
      'opset 25',
      { opset: 25, input: { name: 'x', dims: ['N', 4] }, nodes: [{ op: 'Relu', inputs: ['x'] }] },
      'bad.onnx: opset 25 is not supported (supported: 1–24)',
    ],
    [
      'a dynamic spatial size without an input shape',
      { input: { name: 'x', dims: ['N', 3, 'H', 'W'] }, nodes: [{ op: 'Relu', inputs: ['x'] }] },
      "bad.onnx: input 'x' has a dynamic size on axis 2 ('H', dims [N, 3, H, W]): give the input shape (inputShape, --input-shape 3xHxW)",
    ],
    [
      'BatchNormalization in training mode',
      {
        inits: { g: pos(1, 1), b: w([1], 2), m: w([1], 3), v: pos(1, 4) },
        nodes: [{ op: 'BatchNormalization', inputs: ['x', 'g', 'b', 'm', 'v'], name: 'bn', attrs: { training_mode: 1 } }],
      },
      "node 'bn' (BatchNormalization): training_mode=1 is not supported (inference graphs only)",
    ],
    [
      "a MaxPool whose indices are used",
      { nodes: [{ op: 'MaxPool', inputs: ['x'], outputs: ['y', 'idx'], name: 'mp', attrs: { kernel_shape: [2, 2] } }, { op: 'Add', inputs: ['y', 'idx'] }] },
      "node 'mp' (MaxPool): its indices output 'idx' is used; only the first output is supported",
    ],
    [
      'a negative pad (a crop)',
      { inits: { p: i64([0, 0, -1, 0, 0, 0, 0, 0]) }, nodes: [{ op: 'Pad', inputs: ['x', 'p'], name: 'crop' }] },
      "node 'crop' (Pad): negative pads [0,0,-1,0,0,0,0,0] (cropping) are not supported",
    ],
    [
      'an output that does not depend on the input',
      { inits: { c: w([2], 1) }, nodes: [{ op: 'Relu', inputs: ['x'] }, { op: 'Identity', inputs: ['c'] }] },
      "bad.onnx: the graph output 'v1' does not depend on the input (it is a constant)",
    ],
  ];
  it.each(cases)('%s', (_, spec, message) => {
    expect(graphError(spec).message).toContain(message);
  });

  const batchAxis: Array<[string, GraphSpec, string]> = [
    ['Gemm with transA', { input: { name: 'x', dims: ['N', 4] }, inits: { b: w([3, 2], 1) }, nodes: [{ op: 'Gemm', inputs: ['x', 'b'], name: 'g', attrs: { transA: 1 } }] }, "node 'g' (Gemm): transA=1 makes the batch the second axis of A"],
    ['a Flatten with axis 2', { nodes: [{ op: 'Flatten', inputs: ['x'], name: 'f', attrs: { axis: 2 } }] }, "node 'f' (Flatten): Flatten(axis=2) merges the first axis with others"],
    ['a Reshape across the batch', { inits: { s: i64([3, -1]) }, nodes: [{ op: 'Reshape', inputs: ['x', 's'], name: 'r' }] }, "node 'r' (Reshape): Reshape to [3,-1] moves elements across axis 0"],
    ['a Transpose that moves axis 0', { nodes: [{ op: 'Transpose', inputs: ['x'], name: 't', attrs: { perm: [1, 0, 2, 3] } }] }, "node 't' (Transpose): Transpose perm [1,0,2,3] moves axis 0"],
  ];
  it.each(batchAxis)('%s: a batch-axis error that suggests batch none', (_, spec, message) => {
    const e = graphError(spec);
    expect(e.message).toContain(message);
    expect(e.message).toContain("so the first axis cannot be the batch (import with batch 'none' if the graph is one sample)");
    expect(e.code).toBe('batch-axis');
  });

  it('a model with two inputs, unless the other is bound to a constant', () => {
    const bytes = encodeModel({
      ir_version: 8,
      opset_import: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        node: [{ op_type: 'Add', input: ['a', 'b'], output: ['y'] }],
        input: [
          { name: 'a', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: 'N' }, { dim_value: 2 }] } } } },
          { name: 'b', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 2 }] } } } },
        ],
        output: [{ name: 'y' }],
      },
    });
    expect(importError(bytes, 'two.onnx').message).toBe('two.onnx: expected one graph input, found 2 (a, b)');
    const bound = importOnnx(bytes, { label: 'two.onnx', bind: { b: { dims: [2], data: Float32Array.of(1, 2) } } });
    expect(bound.spec.layers.map((l) => l.kind)).toEqual(['affine']);
    expect(() => importOnnx(bytes, { label: 'two.onnx', bind: { c: { dims: [1], data: [1] } } })).toThrow("two.onnx: bind: the graph has no input 'c'");
  });

  it('weights in external data: named and refused from bytes, read from the file beside a path', () => {
    const model = (location: string): Uint8Array =>
      encodeModel({
        ir_version: 8,
        opset_import: [{ domain: '', version: 13 }],
        graph: {
          name: 'g',
          node: [{ op_type: 'MatMul', name: 'mm', input: ['x', 'W'], output: ['y'] }],
          initializer: [
            { name: 'W', dims: [4, 2], data_type: 1, data_location: 1, external_data: [{ key: 'location', value: location }, { key: 'offset', value: '8' }, { key: 'length', value: '32' }] },
          ],
          input: [{ name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: 'N' }, { dim_value: 4 }] } } } }],
          output: [{ name: 'y' }],
        },
      });
    const e = importError(model('w.bin'), 'ext.onnx');
    expect(e.message).toContain("ext.onnx: initializer 'W': tensor 'W' is stored in external data, which only a model read from a file can reach");
    const dir = mkdtempSync(join(tmpdir(), 'spikelite-ext-'));
    try {
      const values = Float32Array.from({ length: 10 }, (_, i) => i - 2);
      writeFileSync(join(dir, 'w.bin'), new Uint8Array(values.buffer));
      writeFileSync(join(dir, 'm.onnx'), model('w.bin'));
      const r = importOnnx(join(dir, 'm.onnx'));
      // Offset 8 bytes = skip two floats: the kernel is [0, 1, ..., 7].
      expect(Array.from(r.weights.get('layers.0.kernel')!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      writeFileSync(join(dir, 'missing.onnx'), model('nope.bin'));
      expect(() => importOnnx(join(dir, 'missing.onnx'))).toThrow(/initializer 'W': tensor 'W': cannot read its external data file '.*nope\.bin'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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

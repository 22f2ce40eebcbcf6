import { describe, expect, it } from 'vitest';
import { Layer, ModelSpec, type LayerInput } from './model.js';
import { inferShapes, traceShapes } from './shapes.js';
import { SpikeliteConfigError } from './errors.js';

/** Build a spec with defaults filled per layer, but without ModelSpec's own shape check. */
function raw(input: [h: number, w: number, c: number], classes: number, layers: LayerInput[]): ModelSpec {
  return {
    input: { height: input[0], width: input[1], channels: input[2] },
    classes,
    layers: layers.map((l) => Layer.parse(l)),
  };
}

function shapeError(spec: ModelSpec, source?: string): string {
  try {
    inferShapes(spec, source);
  } catch (e) {
    expect(e).toBeInstanceOf(SpikeliteConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a shape error');
}

describe('inferShapes', () => {
  it('works through a small conv net by hand', () => {
    const spec = ModelSpec.parse({
      input: { channels: 1, height: 28, width: 28 },
      classes: 10,
      layers: [
        { kind: 'conv2d', filters: 32, kernelSize: 3, padding: 'same' },
        { kind: 'avgPool', poolSize: 2 },
        { kind: 'conv2d', filters: 64, kernelSize: 3 },
        { kind: 'avgPool' },
        { kind: 'flatten' },
        { kind: 'linear', units: 128 },
        { kind: 'linear', units: 10 },
      ],
    });
    expect(inferShapes(spec)).toEqual([[28, 28, 32], [14, 14, 32], [14, 14, 64], [7, 7, 64], [3136], [128], [10]]);
  });

  it("handles stride-2 'valid', dilation, explicit pads and non-square kernels", () => {
    const spec = raw([28, 20, 1], 7, [
      // floor((28 − 3)/2) + 1 = 13, floor((20 − 3)/2) + 1 = 9
      { kind: 'conv2d', filters: 4, kernelSize: 3, strides: 2, padding: 'valid' },
      // dilated extent (5 − 1)·2 + 1 = 9: floor((13 − 9)/2) + 1 = 3; width 9: floor(0/2) + 1 = 1
      { kind: 'conv2d', filters: 6, kernelSize: 5, strides: 2, dilations: 2, padding: 'valid' },
      // pads: height floor((3 + 1 + 2 − 3)/1) + 1 = 4, width floor((1 + 0 + 0 − 1)/1) + 1 = 1
      { kind: 'conv2d', filters: 6, kernelSize: [3, 1], groups: 3, padding: { top: 1, bottom: 2, left: 0, right: 0 } },
      // 'same', stride [2, 1]: ceil(4/2) = 2, ceil(1/1) = 1
      { kind: 'conv2d', filters: 7, kernelSize: 3, strides: [2, 1] },
      { kind: 'flatten' },
      { kind: 'linear', units: 7 },
    ]);
    expect(inferShapes(spec)).toEqual([[13, 9, 4], [3, 1, 6], [4, 1, 6], [2, 1, 7], [14], [7]]);
  });

  it('rounds pools down, or up with ceilMode (dropping a window that would start past the input)', () => {
    // 7: floor((7 − 2)/2) + 1 = 3; 8: floor((8 − 2)/2) + 1 = 4
    const floorSpec = raw([7, 8, 3], 36, [{ kind: 'avgPool', poolSize: 2 }, { kind: 'flatten' }]);
    expect(inferShapes(floorSpec)).toEqual([[3, 4, 3], [36]]);
    // ceil((7 − 2)/2) + 1 = 4, ceil((8 − 2)/2) + 1 = 4
    const ceilSpec = raw([7, 8, 3], 48, [{ kind: 'avgPool', poolSize: 2, ceilMode: true }, { kind: 'flatten' }]);
    expect(inferShapes(ceilSpec)).toEqual([[4, 4, 3], [48]]);
    // maxPool 3 stride 2 on 8: floor 3, ceil 4; k 1 stride 3 on 5: ceil(4/3)+1 = 3, but (3 − 1)·3 = 6 ≥ 5 → 2
    const maxSpec = raw([8, 5, 1], 1, [
      { kind: 'maxPool', poolSize: [3, 1], strides: [2, 3], ceilMode: true },
      { kind: 'maxPool', poolSize: 1, strides: 1 },
      { kind: 'globalAvgPool' },
    ]);
    expect(inferShapes(maxSpec)).toEqual([[4, 2, 1], [4, 2, 1], [1]]);
    // 'same' pools: ceil(7/2) = 4, ceil(8/2) = 4
    const sameSpec = raw([7, 8, 2], 2, [{ kind: 'avgPool', padding: 'same' }, { kind: 'globalAvgPool' }]);
    expect(inferShapes(sameSpec)).toEqual([[4, 4, 2], [2]]);
  });

  it('traces a residual block with a 1x1 stride-2 shortcut', () => {
    const spec = ModelSpec.parse({
      input: { channels: 16, height: 8, width: 8 },
      classes: 10,
      layers: [
        {
          kind: 'residual',
          name: 'down',
          body: [
            { kind: 'conv2d', filters: 32, kernelSize: 3, strides: 2 },
            { kind: 'activation', fn: 'relu' },
            { kind: 'conv2d', filters: 32, kernelSize: 3 },
          ],
          shortcut: [{ kind: 'conv2d', filters: 32, kernelSize: 1, strides: 2 }],
        },
        { kind: 'residual', body: [{ kind: 'batchNorm' }] },
        { kind: 'globalAvgPool' },
        { kind: 'dropout', rate: 0.5 },
        { kind: 'linear', units: 10 },
      ],
    });
    expect(inferShapes(spec)).toEqual([[4, 4, 32], [4, 4, 32], [32], [32], [10]]);
    const [block] = traceShapes(spec);
    expect(block).toMatchObject({ path: 'layers.0', kind: 'residual', name: 'down', input: [8, 8, 16], output: [4, 4, 32] });
    expect(block?.body?.map((t) => [t.path, t.output])).toEqual([
      ['layers.0.body.0', [4, 4, 32]],
      ['layers.0.body.1', [4, 4, 32]],
      ['layers.0.body.2', [4, 4, 32]],
    ]);
    expect(block?.shortcut?.map((t) => [t.path, t.input, t.output])).toEqual([['layers.0.shortcut.0', [8, 8, 16], [4, 4, 32]]]);
  });
});

describe('inferShapes errors', () => {
  it('residual body and shortcut shapes differ', () => {
    const spec = raw([8, 8, 16], 32, [
      { kind: 'conv2d', filters: 16, kernelSize: 3 },
      { kind: 'residual', name: 'b1', body: [{ kind: 'conv2d', filters: 32, kernelSize: 3, strides: 2 }] },
      { kind: 'globalAvgPool' },
    ]);
    expect(shapeError(spec, 'net.json')).toBe(
      "net.json: layers.1: residual 'b1': body output [4, 4, 32] differs from shortcut output [8, 8, 16] (identity shortcut)",
    );
  });

  it('a problem inside a residual body names the nested path', () => {
    const spec = raw([4, 4, 2], 2, [
      { kind: 'residual', body: [{ kind: 'conv2d', filters: 2, kernelSize: 5, padding: 'valid' }] },
      { kind: 'globalAvgPool' },
    ]);
    expect(shapeError(spec)).toBe('model: layers.0.body.0: conv2d: kernel 5x5 is bigger than its input 4x4');
  });

  it('linear before flatten on a 3-D input acts on the channels, so the output is not [classes]', () => {
    const spec = raw([28, 28, 1], 10, [
      { kind: 'conv2d', filters: 4, kernelSize: 3 },
      { kind: 'linear', name: 'fc1', units: 10 },
    ]);
    expect(shapeError(spec)).toBe(
      "model: layers.1: the last layer (linear 'fc1') outputs [28, 28, 10]; the model must end with [10] (flatten or globalAvgPool, then a linear layer with 10 units), or leave classes out for a feature-map output",
    );
  });

  it('pool bigger than its input', () => {
    const spec = raw([3, 3, 1], 1, [{ kind: 'avgPool', poolSize: 4 }, { kind: 'flatten' }]);
    expect(shapeError(spec)).toBe('model: layers.0: avgPool: pool 4x4 is bigger than its input 3x3');
  });

  it('dilated kernel bigger than its padded input', () => {
    const spec = raw([4, 4, 1], 1, [
      { kind: 'conv2d', filters: 1, kernelSize: 3, dilations: 2, padding: { top: 0, bottom: 0, left: 1, right: 0 } },
      { kind: 'flatten' },
    ]);
    expect(shapeError(spec)).toBe('model: layers.0: conv2d: kernel 3x3 (dilated to 5x5) is bigger than its padded input 4x5');
  });

  it('a spatial layer after the features were flattened', () => {
    const spec = raw([4, 4, 1], 16, [{ kind: 'flatten' }, { kind: 'maxPool', name: 'p' }]);
    expect(shapeError(spec)).toBe("model: layers.1: maxPool 'p' expects a 3-D [height, width, channels] input, got [16]");
    const gap = raw([4, 4, 1], 1, [{ kind: 'globalAvgPool' }, { kind: 'globalAvgPool' }]);
    expect(shapeError(gap)).toBe('model: layers.1: globalAvgPool expects a 3-D [height, width, channels] input, got [1]');
  });

  it('groups must divide channels and filters', () => {
    expect(shapeError(raw([4, 4, 3], 1, [{ kind: 'conv2d', filters: 4, kernelSize: 1, groups: 2 }]))).toBe(
      'model: layers.0: conv2d: groups 2 does not divide the 3 input channels',
    );
    expect(shapeError(raw([4, 4, 4], 1, [{ kind: 'conv2d', filters: 3, kernelSize: 1, groups: 2 }]))).toBe(
      'model: layers.0: conv2d: groups 2 does not divide filters 3',
    );
  });

  it("last layer's units differ from classes", () => {
    const spec = raw([4, 4, 1], 10, [{ kind: 'flatten' }, { kind: 'linear', name: 'head', units: 12 }]);
    expect(shapeError(spec)).toBe("model: layers.1: the last layer (linear 'head') outputs 12 features but classes is 10");
  });

  it('a model that ends on a 3-D map, and one with no layers', () => {
    expect(shapeError(raw([4, 4, 1], 10, [{ kind: 'conv2d', filters: 10, kernelSize: 1 }]))).toMatch(
      /^model: layers\.0: the last layer \(conv2d\) outputs \[4, 4, 10\]; the model must end with \[10\]/,
    );
    expect(shapeError(raw([4, 4, 1], 10, []))).toBe('model: layers: no layers: the input [4, 4, 1] must end as [10] (classes)');
  });
});

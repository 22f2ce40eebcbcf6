/**
 * Every torchvision CNN family (width-reduced copies of torchvision 0.14's own architectures,
 * tooling/zoo/export_zoo.py) imports and matches onnxruntime: ≤ 1e-4 of the output range and
 * the same top-1 class, on cpu and wasm. The files vary opset (11–17) and constant folding.
 */
import { readFileSync } from 'node:fs';
import { initEngine, type BackendName } from '@spikelite/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkParity, importOnnx } from './index.js';

const DIR = new URL('../../../tooling/zoo/fixtures/', import.meta.url).pathname;
interface Entry {
  file: string;
  input: [number, number, number];
  opset: number;
  constantFolding: boolean;
  dynamicHW: boolean;
}
const manifest = JSON.parse(readFileSync(`${DIR}manifest.json`, 'utf8')) as Record<string, Entry>;

/** Deterministic images in [0, 1]. */
const images = (n: number, [c, h, w]: readonly number[]): Float32Array =>
  Float32Array.from({ length: n * c! * h! * w! }, (_, i) => 0.5 + 0.5 * Math.sin(i * 12.9898 + 78.233));

it('the zoo covers opsets 11 to 17, with and without constant folding, and dynamic H and W', () => {
  const entries = Object.values(manifest);
  expect(Object.keys(manifest)).toHaveLength(21);
  expect(new Set(entries.map((e) => e.opset))).toEqual(new Set([11, 12, 13, 14, 15, 16, 17]));
  expect(new Set(entries.map((e) => e.constantFolding))).toEqual(new Set([true, false]));
  expect(entries.filter((e) => e.dynamicHW).length).toBeGreaterThan(0);
});

const BACKENDS: BackendName[] = ['wasm', 'cpu'];
describe.each(BACKENDS)('torchvision families on %s', (backend) => {
  beforeAll(async () => {
    await initEngine({ backend });
  });

  it.each(Object.entries(manifest))('%s', async (_family, e) => {
    const file = `${DIR}${e.file}`;
    const options = e.dynamicHW ? { inputShape: e.input } : {};
    if (e.dynamicHW) expect(() => importOnnx(file)).toThrow(/has a dynamic size on axis 2 \('H'.*--input-shape 3xHxW/);
    const imported = importOnnx(file, options);
    const p = await checkParity(file, { data: images(2, e.input), shape: [2, ...e.input] }, { imported });
    expect(p.outputRange.span).toBeGreaterThan(0);
    expect(p.relativeDiff).toBeLessThanOrEqual(1e-4);
    expect(p.top1Agreement).toBe(1);
  });
});

describe('idioms of other exporters', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'wasm' });
  });

  it('paddle2onnx-style MobileNetV3 block: opset 9, Constant-node weights, unfolded BatchNorm, Clip attributes, hard-swish composites, SE gate, dynamic H and W, shape-arithmetic flatten, final Softmax', async () => {
    const file = `${DIR}paddle-mobilenetv3-style.onnx`;
    expect(() => importOnnx(file)).toThrow(/input 'image' has a dynamic size on axis 2 \('H'/);
    const imported = importOnnx(file, { inputShape: [3, 24, 24] });
    const p = await checkParity(file, { data: images(3, [3, 24, 24]), shape: [3, 3, 24, 24] }, { imported, inputShape: [3, 24, 24] });
    expect(p.relativeDiff).toBeLessThanOrEqual(1e-4);
    expect(p.top1Agreement).toBe(1);
    const fns = imported.spec.layers.flatMap((l) => (l.kind === 'activation' ? [l.fn] : []));
    // Add/Clip/Mul/Div → hardSwish (×3); the gate's HardSigmoid stays (slope 0.2 is not hard-swish's 1/6).
    expect(fns).toEqual(['hardSwish', 'relu6', 'hardSwish', 'relu', 'hardSigmoid', 'hardSwish']);
    expect(imported.spec.layers.filter((l) => l.kind === 'mul')).toHaveLength(1);
    expect(imported.spec.layers.some((l) => l.kind === 'batchNorm' || l.kind === 'affine')).toBe(false);
    expect(imported.report.outputActivation).toBe('softmax');
    expect(imported.report.opset).toBe(9);
  });

  it('tf2onnx-style Keras CNN: NHWC input, Pad before a VALID conv, BatchNorm as Mul/Add constants, x·HardSigmoid(x), Squeeze, Gemm, Softmax', async () => {
    const file = `${DIR}tf2onnx-style.onnx`;
    const imported = importOnnx(file);
    expect(imported.spec.input).toEqual({ channels: 3, height: 32, width: 32 });
    // The data is NHWC for onnxruntime; spikelite takes it as it is.
    const nhwc = images(2, [32, 32, 3]);
    const { runOnnx, networkFromImport } = await import('./index.js');
    const ref = await runOnnx((await import('./parity.js')).withoutFinalSoftmax(readFileSync(file)), nhwc, [2, 32, 32, 3]);
    const tf = await import('@tensorflow/tfjs-core');
    const net = networkFromImport(imported);
    const ours = tf.tidy(() => net.forwardAnn(tf.tensor4d(nhwc, [2, 32, 32, 3])).dataSync() as Float32Array);
    net.dispose();
    const span = Math.max(...ref.output) - Math.min(...ref.output);
    const diff = Math.max(...ours.map((v, i) => Math.abs(v - ref.output[i]!)));
    expect(diff / span).toBeLessThanOrEqual(1e-4);
    const kinds = imported.spec.layers.map((l) => (l.kind === 'activation' ? l.fn : l.kind));
    expect(kinds).toEqual(['conv2d', 'relu6', 'conv2d', 'hardSwish', 'avgPool', 'conv2d', 'relu', 'globalAvgPool', 'linear']);
    expect(imported.report.removed.map((r) => r.opType)).toContain('Transpose');
  });
});

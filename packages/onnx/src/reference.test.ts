/**
 * OnnxReference: one onnxruntime session over a model, fed spikelite's NHWC images. Checked
 * against PyTorch's own outputs on the fixture sample (tooling/fixtures/onnx), against a
 * hand-computed colour model (the NHWC → NCHW transpose), with a fixed-batch model (the last
 * batch padded), and against the per-call `runOnnx`.
 */
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '@spikelite/engine';
import { describe, expect, it } from 'vitest';
import { encodeModel } from './proto.js';
import { nhwcToNchw, OnnxReference } from './reference.js';
import { checkParity, runOnnx } from './parity.js';

const DIR = new URL('../../../tooling/fixtures/onnx/', import.meta.url).pathname;
const info = JSON.parse(readFileSync(`${DIR}fixtures.json`, 'utf8')) as {
  sample: { file: string; count: number; labels: number[] };
  models: Record<string, { sampleOutputs: number[][]; outputIsSoftmax: boolean; testAccuracy: number }>;
};
const N = info.sample.count;
/** The fixture sample: N grey 28×28 images, pixels / 255 (one channel: NHWC and NCHW are the same floats). */
const sample = { images: Float32Array.from(readFileSync(`${DIR}${info.sample.file}`), (v) => v / 255), count: N, height: 28, width: 28, channels: 1, labels: info.sample.labels };
const tmp = mkdtempSync(join(tmpdir(), 'spikelite-reference-'));

const tensor = (name: string, dims: number[], values: number[]) => ({ name, dims, data_type: 1, float_data: values });
const valueInfo = (name: string, dims: Array<number | string>) => ({
  name,
  type: { tensor_type: { elem_type: 1, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) } } },
});

/** x [batch, 3, 4, 4] → Flatten → Gemm (2 classes): a colour model whose output is W·x_chw + b. */
function colourModel(batch: number | 'N', edit: (w: number[]) => void = () => {}): { file: string; w: number[]; b: number[] } {
  const w = Array.from({ length: 2 * 48 }, (_, i) => Math.sin(i + 1));
  edit(w);
  const b = [0.25, -0.5];
  const file = join(tmp, `colour-${batch}-${w.filter((v) => !Number.isFinite(v)).length}.onnx`);
  writeFileSync(file, encodeModel({
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    graph: {
      name: 'colour',
      node: [
        { op_type: 'Flatten', input: ['x'], output: ['f'] },
        { op_type: 'Gemm', input: ['f', 'w', 'b'], output: ['y'], attribute: [{ name: 'transB', type: 2, i: 1 }] },
      ],
      initializer: [tensor('w', [2, 48], w), tensor('b', [2], b)],
      input: [valueInfo('x', [batch, 3, 4, 4])],
      output: [valueInfo('y', [batch, 2])],
    },
  }));
  return { file, w, b };
}

function colourImages(count: number, seed: number) {
  const rng = createRng(seed);
  return { images: Float32Array.from({ length: count * 48 }, () => rng.next()), count, height: 4, width: 4, channels: 3 };
}

/** W·x + b by hand, reading image n's pixel (c, h, w) from NHWC: the order an NCHW flatten gives. */
function byHand(m: { w: number[]; b: number[] }, set: ReturnType<typeof colourImages>, n: number): number[] {
  return [0, 1].map((k) => {
    let acc = m.b[k]!;
    for (let c = 0; c < 3; c++) for (let h = 0; h < 4; h++) for (let x = 0; x < 4; x++) acc += m.w[k * 48 + (c * 4 + h) * 4 + x]! * set.images[((n * 4 + h) * 4 + x) * 3 + c]!;
    return acc;
  });
}

describe('OnnxReference', () => {
  it("the fixture CNN on NHWC images gives PyTorch's outputs (softmax taken off: logits)", async () => {
    const ref = await OnnxReference.open(`${DIR}fmnist-cnn-bn.onnx`);
    const { output, shape } = await ref.run(sample);
    expect(shape).toEqual([N, 10]);
    const expected = info.models['fmnist-cnn-bn.onnx']!.sampleOutputs.flat();
    expect(info.models['fmnist-cnn-bn.onnx']!.outputIsSoftmax).toBe(false);
    let worst = 0;
    expected.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - output[i]!))));
    expect(worst).toBeLessThan(1e-4);
    // The same session again, on a slice: the same numbers.
    const part = await ref.run(sample, 3, 5);
    expect(Array.from(part.output)).toEqual(Array.from(output.subarray(30, 80)));
    await ref.close();
  });

  it('a colour model: the NHWC images are transposed to what an NCHW flatten reads', async () => {
    const m = colourModel('N');
    const set = colourImages(6, 1);
    const ref = await OnnxReference.open(m.file);
    expect(ref.fixedBatch).toBeNull();
    const { output } = await ref.run(set);
    for (let n = 0; n < set.count; n++) byHand(m, set, n).forEach((v, k) => expect(output[n * 2 + k]).toBeCloseTo(v, 4));
    // runOnnx, given the same images already in NCHW order, agrees exactly.
    const direct = await runOnnx(m.file, nhwcToNchw(set), [6, 3, 4, 4]);
    expect(Array.from(direct.output)).toEqual(Array.from(output));
    await ref.close();
  });

  it('a fixed-batch model: predictions of 10 images in batches of 4, the last one padded', async () => {
    const m = colourModel(4);
    const set = { ...colourImages(10, 2), labels: Array.from({ length: 10 }, (_, i) => i % 2) };
    const ref = await OnnxReference.open(m.file);
    expect(ref.fixedBatch).toBe(4);
    const predicted = await ref.predict(set);
    const expected = Array.from({ length: 10 }, (_, n) => {
      const [a, b] = byHand(m, set, n);
      return b! > a! ? 1 : 0;
    });
    expect(Array.from(predicted)).toEqual(expected);
    expect(await ref.accuracy(set)).toBe(expected.filter((p, i) => p === set.labels[i]).length / 10);
    await ref.close();
  });

  it('accuracy on the fixture sample in batches of 5 equals argmax of one run', async () => {
    const ref = await OnnxReference.open(`${DIR}fmnist-mlp.onnx`);
    const { output } = await ref.run(sample);
    const argmax = Array.from({ length: N }, (_, n) => {
      const row = Array.from(output.subarray(n * 10, (n + 1) * 10));
      return row.indexOf(Math.max(...row));
    });
    expect(Array.from(await ref.predict(sample, 5))).toEqual(argmax);
    expect(await ref.accuracy(sample, 5)).toBe(argmax.filter((p, i) => p === sample.labels[i]).length / N);
    await ref.close();
  });
});

describe('checkParity', () => {
  it('names the weights holding NaN or infinite values, and fails', async () => {
    const m = colourModel('N', (w) => {
      w[3] = Number.NaN;
      w[50] = Number.POSITIVE_INFINITY;
      w[51] = Number.NEGATIVE_INFINITY;
    });
    const set = colourImages(4, 3);
    const p = await checkParity(m.file, { data: nhwcToNchw(set), shape: [4, 3, 4, 4] });
    expect(p.ok).toBe(false);
    expect(p.nonFinite).toHaveLength(1);
    expect(p.nonFinite[0]).toMatchObject({ nan: 1, infinite: 2, size: 96 });
    expect(p.nonFinite[0]!.name).toMatch(/kernel$/);
    const clean = await checkParity(colourModel('N').file, { data: nhwcToNchw(set), shape: [4, 3, 4, 4] });
    expect(clean.nonFinite).toEqual([]);
    expect(clean.ok).toBe(true);
  });
});

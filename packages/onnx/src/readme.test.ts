/**
 * The README's first example is examples/readme.ts, verbatim, and it runs from the repository
 * root (its paths): the import is checked against PyTorch's own outputs on the 16 images
 * (recorded in fixtures.json when the model was exported) and against onnxruntime.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exportExample } from '../examples/export.js';
import { readmeExample } from '../examples/readme.js';
import { runOnnx } from './index.js';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));
const FIXTURES = `${root}tooling/fixtures/onnx/`;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('README example', () => {
  const example = readFileSync(`${pkg}examples/readme.ts`, 'utf8');

  it('opens the README, verbatim', () => {
    const first = /```ts\n([\s\S]*?)```/.exec(readFileSync(`${pkg}README.md`, 'utf8'))?.[1];
    expect(first).toBe(example);
  });

  it("imports the BN CNN: the known layers, both BatchNorms folded, PyTorch's and onnxruntime's logits", async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(' ')));
    const cwd = process.cwd();
    process.chdir(root);
    let r: Awaited<ReturnType<typeof readmeExample>>;
    try {
      r = await readmeExample();
    } finally {
      process.chdir(cwd);
    }
    expect(lines).toHaveLength(3);

    // conv 16 + BN + ReLU + MaxPool, conv 32 + BN + ReLU + MaxPool, Flatten, Gemm 128, ReLU, Gemm 10.
    expect(r.summary.layers.map((l) => l.kind)).toEqual(['conv2d', 'activation', 'maxPool', 'conv2d', 'activation', 'maxPool', 'flatten', 'linear', 'activation', 'linear']);
    expect(r.summary.totalMacs).toBe(3 * 3 * 1 * 16 * 28 * 28 + 3 * 3 * 16 * 32 * 14 * 14 + 32 * 7 * 7 * 128 + 128 * 10);
    // Weights plus biases; each folded BatchNorm leaves one bias per channel.
    expect(r.summary.totalParams).toBe(3 * 3 * 16 + 16 + 3 * 3 * 16 * 32 + 32 + 1568 * 128 + 128 + 128 * 10 + 10);
    expect(r.folded.filter((f) => f.opType === 'BatchNormalization').map((f) => f.into)).toEqual(['/features/features.0/Conv', '/features/features.4/Conv']);

    // PyTorch's logits on the same 16 images, recorded when the model was exported.
    const info = JSON.parse(readFileSync(`${FIXTURES}fixtures.json`, 'utf8')) as { models: Record<string, { sampleOutputs: number[][] }>; sample: { labels: number[] } };
    const torch = info.models['fmnist-cnn-bn.onnx']!.sampleOutputs.flat();
    expect(r.logits).toHaveLength(16 * 10);
    const span = Math.max(...torch) - Math.min(...torch);
    const worst = torch.reduce((m, v, i) => Math.max(m, Math.abs(v - r.logits[i]!)), 0);
    expect(worst / span).toBeLessThanOrEqual(1e-4);
    const top1 = (v: ArrayLike<number>, n: number) => Array.from(v).slice(n * 10, n * 10 + 10).reduce((b, x, k, a) => (x > a[b]! ? k : b), 0);
    for (let n = 0; n < 16; n++) expect(top1(r.logits, n)).toBe(top1(torch, n));
    // A trained model (90.6 % on the test set): most of these 16 are right.
    expect(info.sample.labels.filter((label, n) => top1(r.logits, n) === label).length).toBeGreaterThanOrEqual(13);

    // onnxruntime, run here on its own, against the example's logits; and the example's check.
    const images = Float32Array.from(readFileSync(`${FIXTURES}fmnist-test-16.u8`), (p) => p / 255);
    const ort = await runOnnx(`${FIXTURES}fmnist-cnn-bn.onnx`, images, [16, 1, 28, 28]);
    expect(ort.shape).toEqual([16, 10]);
    const ortWorst = Array.from(ort.output).reduce((m, v, i) => Math.max(m, Math.abs(v - r.logits[i]!)), 0);
    expect(ortWorst / span).toBeLessThanOrEqual(1e-4);
    expect(r.parity).toMatchObject({ backend: 'cpu', images: 16, top1Agreement: 1, ok: true });
    expect(r.parity.relativeDiff).toBeLessThanOrEqual(1e-4);
    expect(r.parity.maxAbsDiff).toBeCloseTo(ortWorst, 6);
    expect(lines[2]).toBe(`${r.parity.maxAbsDiff} [object Object] ${r.parity.relativeDiff} true`);
  });
});

describe('README export example', () => {
  it('is in the README, verbatim', () => {
    const example = readFileSync(`${pkg}examples/export.ts`, 'utf8');
    expect(readFileSync(`${pkg}README.md`, 'utf8')).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

  it('writes the SNN, onnxruntime runs it, and its logits and every spike count match spikelite', async () => {
    const lines: unknown[][] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a));
    const dir = mkdtempSync(join(tmpdir(), 'spikelite-onnx-readme-'));
    try {
      const file = join(dir, 'fmnist-small-snn.onnx');
      const r = await exportExample(file);
      // fmnist-small's weights by hand (convs without bias): 4 bytes each, plus a graph of a few kB.
      const params = 3 * 3 * 1 * 32 + 3 * 3 * 32 * 64 + 3136 * 128 + 128 + 128 * 10 + 10;
      expect(statSync(file).size).toBe(r.bytes);
      expect(r.bytes).toBeGreaterThan(4 * params);
      expect(r.bytes).toBeLessThan(4 * params + 64 * 1024);

      expect(r.logits).toHaveLength(8 * 10);
      expect(r.spikes).toHaveLength(8 * 3);
      // A LIF neuron fires at most once per step: per image, at most neurons × T spikes per layer.
      const neurons = [28 * 28 * 32, 14 * 14 * 64, 128];
      const spikes = Array.from(r.spikes!);
      spikes.forEach((s, i) => {
        expect(Number.isInteger(s)).toBe(true);
        expect(s).toBeGreaterThan(0);
        expect(s).toBeLessThanOrEqual(neurons[i % 3]! * 5);
      });
      // The README's figures: image 0 fires [48279, 33632, 301]; all 657,304 spikes agree.
      expect(spikes.slice(0, 3)).toEqual([48279, 33632, 301]);
      const perLayer = [0, 1, 2].map((l) => spikes.filter((_, i) => i % 3 === l).reduce((a, b) => a + b));
      expect(r.parity.spikes.onnx).toEqual(perLayer);
      expect(r.parity.spikes.spikelite).toEqual(perLayer);
      expect(r.parity.spikes).toMatchObject({ differing: 0, total: 657_304 });
      // Logits: the README measured them equal; float rounding of another summation order is allowed.
      expect(r.parity.relativeDiff).toBeLessThanOrEqual(1e-6);
      expect(r.parity).toMatchObject({ images: 8, timesteps: 5, top1Agreement: 1, ok: true });
      expect(lines[1]).toEqual([r.parity.relativeDiff, 0, 657_304, true]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

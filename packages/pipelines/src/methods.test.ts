/**
 * Every registered method, run from the library on the shipped Fashion-MNIST subset (first 300
 * training / 100 test images) and the shipped ONNX CNN or the fmnist-small preset: the same
 * description gives the same RunReport, the numbers clear floors a broken method would miss,
 * and the method-specific facts hold (one spike at most per hybrid neuron, counted
 * independently; T = 1 for general; the ANN's accuracy under onnxruntime and spikelite).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import type { SnnModel } from '@spikelite/models';
import { RunReport } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { createResources, METHOD_IDS, runMethod, type FinishedRun, type MethodRunInput } from './index.js';

const ONNX = new URL('../../../tooling/fixtures/onnx/fmnist-cnn-bn.onnx', import.meta.url).pathname;
const DATA = new URL('../../../apps/cli/data/fashion-mnist-mini', import.meta.url).pathname;
const data = { name: DATA, limitTrain: 300, limitTest: 100 };
const onnx = { kind: 'onnx', file: ONNX } as const;
const resources = createResources();

const run = (r: Omit<MethodRunInput, 'data'>, options: Parameters<typeof runMethod>[1] = {}) => runMethod({ data, ...r }, { resources, ...options });
const withoutWall = (r: RunReport) => ({ ...r, wallMs: 0 });

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

describe('methods on the shipped subset', () => {
  let ann: RunReport;

  it('ann, an ONNX model: evaluated as imported, agreeing with onnxruntime; costed as itself', async () => {
    ann = await run({ method: 'ann', model: onnx });
    expect(RunReport.parse(ann)).toMatchObject({ command: 'eval', method: 'ann', timesteps: 1, dataset: { name: 'fashion-mnist-mini', trainSize: 300, testSize: 100 } });
    expect(ann.accuracy).toBe(ann.annAccuracy);
    expect(ann.accuracy).toBeGreaterThan(0.85); // the shipped CNN: 91.2 % on the 1,000 shipped test images
    expect(ann.energy.ratio).toBe(1);
  });

  it('threshold and fs: conversions without training; the same run twice is the same report', async () => {
    const threshold = await run({ method: 'threshold', model: onnx, config: { calib: 64 } });
    expect(withoutWall(await run({ method: 'threshold', model: onnx, config: { calib: 64 } }))).toEqual(withoutWall(threshold));
    expect(threshold).toMatchObject({ command: 'convert', timesteps: 5, annAccuracy: ann.accuracy });
    expect(threshold.accuracy).toBeGreaterThan(0.78);
    expect(threshold.energy.ratio).toBeGreaterThan(1.5);
    const fs = await run({ method: 'fs', model: onnx, config: { calib: 64 } });
    // K = 10 on ReLU is exact quantisation: the ANN's accuracy within a point or two.
    expect(fs.timesteps).toBe(10);
    expect(Math.abs(fs.accuracy - ann.accuracy)).toBeLessThanOrEqual(0.03);
    expect(fs.spikes.perNeuron).toBeGreaterThan(0.8);
    expect(fs.spikes.perNeuron).toBeLessThan(1.5);
  });

  it('diet: fine-tuned from the ONNX weights; deterministic', async () => {
    const config = { calib: 64, epochs: 1 };
    const a = await run({ method: 'diet', model: onnx, config });
    const b = await run({ method: 'diet', model: onnx, config });
    expect(withoutWall(b)).toEqual(withoutWall(a));
    expect(a.timesteps).toBe(5);
    expect(a.accuracy).toBeGreaterThan(0.85);
    // Direct input: layer 1 does its MACs at every one of the 5 steps.
    expect(a.energy.perLayer[0]!.snnMacs).toBe(5 * a.energy.perLayer[0]!.annMacs);
  });

  it('hybrid: no hidden neuron fires twice on any test image (counted here), input spikes = the lit pixels', async () => {
    const out = mkdtempSync(join(tmpdir(), 'spikelite-hybrid-'));
    let independent = { worst: 0, spikes: 0, neurons: 0, lit: 0, elements: 0 };
    const count = ({ snn, data: d }: FinishedRun): void => {
      const s = snn as SnnModel;
      const x = tf.tensor4d(d.test.images, [d.test.count, 28, 28, 1]);
      tf.tidy(() => {
        const sums: tf.Tensor[] = [];
        s.forward(x, { onSpikes: (l, _t, sp) => void (sums[l] = sums[l] === undefined ? sp : tf.add(sums[l]!, sp)) });
        independent = {
          worst: Math.max(...sums.map((t) => tf.max(t).dataSync()[0]!)),
          spikes: sums.reduce((a, t) => a + tf.sum(t).dataSync()[0]!, 0),
          neurons: s.neuronsPerLayer().reduce((a, n) => a + n, 0) * d.test.count,
          lit: d.test.images.filter((v) => v > 0).length,
          elements: d.test.images.length,
        };
      });
      x.dispose();
    };
    const r = await run({ method: 'hybrid', model: onnx, config: { calib: 64, epochs: 1 } }, { onModel: count, out });
    expect(independent.worst).toBe(1);
    expect(r.spikes.perNeuron).toBeCloseTo(independent.spikes / independent.neurons, 6);
    expect(r.spikes.perNeuron).toBeLessThanOrEqual(1);
    // Analog image once, then one temporal spike per non-black pixel (T = 5).
    const first = r.energy.perLayer[0]!;
    expect(first.snnMacs).toBe(first.annMacs);
    expect(first.snnAcs / first.annMacs).toBeCloseTo(independent.lit / independent.elements, 6);
    const written = JSON.parse(readFileSync(join(out, 'hybrid.json'), 'utf8')) as { outputThreshold: number; maxSpikesPerNeuronPerImage: number[] };
    expect(written.maxSpikesPerNeuronPerImage).toEqual([1, 1, 1]);
    expect(written.outputThreshold).toBeGreaterThan(0);
    expect(existsSync(join(out, 'snn', 'latest.json'))).toBe(true);
    expect(r.accuracy).toBeGreaterThan(0.75);
  });

  it('general: one timestep, trained from the random init of the ONNX architecture', async () => {
    const r = await run({ method: 'general', model: onnx, config: { epochs: 2 } });
    expect(r).toMatchObject({ command: 'train', timesteps: 1, annAccuracy: ann.accuracy });
    expect(r.spikes.perLayer.map((l) => l.rate).every((v) => v > 0 && v <= 1)).toBe(true);
    expect(r.accuracy).toBeGreaterThan(0.4); // 300 images, 2 epochs; chance is 0.1
  });

  it('a preset goes through the ANN stage; a finished run resumed from its directory gives the same report', async () => {
    const out = mkdtempSync(join(tmpdir(), 'spikelite-resume-'));
    const description = { method: 'diet', model: { kind: 'preset', name: 'fmnist-small' }, config: { annEpochs: 2, epochs: 1, calib: 64 }, seed: 3 } as const;
    const first = await run(description, { out });
    expect(first).toMatchObject({ command: 'train', method: 'diet' });
    expect(first.annAccuracy).toBeGreaterThan(0.4);
    expect(first.accuracy).toBeGreaterThan(0.3);
    const lines: string[] = [];
    const again = await run(description, { out, resume: out, onEvent: (e) => e.type === 'log' && lines.push(e.message) });
    expect(lines.filter((l) => l.includes('resuming from'))).toHaveLength(2); // ann and snn
    expect(withoutWall(again)).toEqual(withoutWall(first));
  });

  it('the registry holds the six methods run above, in this order', () => {
    expect(METHOD_IDS).toEqual(['ann', 'threshold', 'fs', 'diet', 'hybrid', 'general']);
  });
});

/**
 * The committed model asset and src/model.ts in Node (wasm): the asset rebuilds into an SNN
 * that predicts what the converted SNN predicted when the asset was made, the trace is
 * self-consistent, and the energy shown equals a hand count of this network's MACs.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argmax, buildSnn, decodePixels, encodePixels, energyOfTrace, maxPoolArrivals, parseDemoModel, parseSamples, ratioWithPoolArrivals, traceImage, type LoadedSnn } from './model.js';

const publicDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'public');
const modelJson = JSON.parse(readFileSync(join(publicDir, 'model.json'), 'utf8')) as Record<string, unknown>;
const samples = parseSamples(JSON.parse(readFileSync(join(publicDir, 'samples.json'), 'utf8')));
let loaded: LoadedSnn;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  const model = parseDemoModel(modelJson);
  const bytes = readFileSync(join(publicDir, model.weightsFile));
  loaded = buildSnn(model, new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
});
afterAll(() => loaded?.dispose());

describe('demo model asset', () => {
  it('is the threshold-converted fmnist-cnn-bn at T = 8 with its measured accuracy', () => {
    const m = loaded.model;
    expect(m.timesteps).toBe(8);
    expect(m.neurons.map((n) => n.kind)).toEqual(['if', 'if', 'if']);
    expect(m.layers.map((l) => l.neurons)).toEqual([28 * 28 * 16, 14 * 14 * 32, 128]);
    expect(m.evaluation.images).toBe(1000);
    // The converted SNN within 2 points of its ANN on the shipped 1,000 test images.
    expect(m.evaluation.accuracy).toBeGreaterThan(0.85);
    expect(Math.abs(m.evaluation.accuracy - m.evaluation.annAccuracy)).toBeLessThan(0.02);
    expect(samples).toHaveLength(20);
    expect(new Set(samples.map((s) => s.label)).size).toBe(10);
  });

  it('every sample traces to the class the converted SNN gave it when the asset was made', async () => {
    let correct = 0;
    for (const s of samples) {
      const tr = await traceImage(loaded, decodePixels(s.pixels));
      expect(tr.prediction, `sample #${s.index}`).toBe(s.snnPrediction);
      if (tr.prediction === s.label) correct++;
    }
    expect(correct).toBeGreaterThanOrEqual(16);
  });

  it('the trace: U(t) per step, prediction = argmax U(T), raster sums = spike counts', async () => {
    const tr = await traceImage(loaded, decodePixels(samples[0]!.pixels));
    expect(tr.membrane).toHaveLength(8);
    expect(tr.prediction).toBe(argmax(tr.membrane[7]!));
    tr.spikes.forEach((s, l) => {
      const n = loaded.model.layers[l]!.neurons;
      expect(s.length).toBe(8 * n);
      for (let t = 0; t < 8; t++) {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += s[t * n + i]!;
        expect(sum, `layer ${l} step ${t}`).toBe(tr.counts[l]![t]);
      }
    });
    // The network does spike, but sparsely (the asset averages 0.67 spikes per neuron over T).
    const total = tr.counts.flat().reduce((a, v) => a + v, 0);
    expect(total).toBeGreaterThan(0);
    expect(total / loaded.model.layers.reduce((a, l) => a + l.neurons, 0)).toBeLessThan(3);
  });

  it('energy equals a hand count: F_l by hand, direct input at every step, one AC per spike and synapse', async () => {
    const tr = await traceImage(loaded, decodePixels(samples[3]!.pixels));
    const zeta = tr.counts.map((c, l) => c.reduce((a, v) => a + v, 0) / loaded.model.layers[l]!.neurons);
    // conv 3×3 1→16 on 28×28, conv 3×3 16→32 on 14×14, linear 1568→128, linear 128→10.
    const F = [3 * 3 * 1 * 16 * 28 * 28, 3 * 3 * 16 * 32 * 14 * 14, 7 * 7 * 32 * 128, 128 * 10];
    const annPj = (F[0]! + F[1]! + F[2]! + F[3]!) * 4.6;
    const snnPj = 8 * F[0]! * 4.6 + 0.9 * (F[1]! * zeta[0]! + F[2]! * zeta[1]! + F[3]! * zeta[2]!);
    const e = energyOfTrace(loaded, tr.counts).energy;
    expect(e.profile).toBe('cmos45nm-fp32');
    expect(e.annPj).toBeCloseTo(annPj, 3);
    expect(e.snnPj / snnPj).toBeCloseTo(1, 10);
    expect(e.ratio / (annPj / snnPj)).toBeCloseTo(1, 10);
  });

  it('max pools: the spikes leaving them, recounted with tf.maxPool over the raster', async () => {
    const tr = await traceImage(loaded, decodePixels(samples[3]!.pixels));
    const arrivals = maxPoolArrivals(loaded, tr);
    expect(arrivals.map((a) => [a.layer, a.activation])).toEqual([['layers.3', 0], ['layers.7', 1]]);
    for (const [a, [H, C]] of [[arrivals[0]!, [28, 16]], [arrivals[1]!, [14, 32]]] as const) {
      const n = H * H * C;
      const pooled = tf.tidy(() => tf.sum(tf.maxPool(tf.tensor4d(Float32Array.from(tr.spikes[a.activation]!), [8, H, H, C]), 2, 2, 'valid')).dataSync()[0]!);
      const before = tr.counts[a.activation]!.reduce((x, v) => x + v, 0);
      expect(a.zetaBefore).toBeCloseTo(before / n, 12);
      expect(a.zetaArriving).toBeCloseTo(pooled / (n / 4), 12);
      // An OR of four: at least the mean of the window, at most four times it.
      expect(a.zetaArriving).toBeGreaterThanOrEqual(a.zetaBefore);
      expect(a.zetaArriving).toBeLessThanOrEqual(4 * a.zetaBefore);
    }
    const account = energyOfTrace(loaded, tr.counts);
    const F = [3 * 3 * 16 * 32 * 14 * 14, 7 * 7 * 32 * 128];
    const extra = 0.9 * (F[0]! * (arrivals[0]!.zetaArriving - arrivals[0]!.zetaBefore) + F[1]! * (arrivals[1]!.zetaArriving - arrivals[1]!.zetaBefore));
    expect(ratioWithPoolArrivals(account, arrivals) / (account.energy.annPj / (account.energy.snnPj + extra))).toBeCloseTo(1, 10);
    expect(ratioWithPoolArrivals(account, arrivals)).toBeLessThan(account.energy.ratio);
  });

  it('bad assets fail with one line naming the file and field', () => {
    expect(() => parseDemoModel({ ...modelJson, timesteps: 0 })).toThrow(/^model\.json: timesteps: expected a positive integer, got 0$/);
    expect(() => parseDemoModel({ ...modelJson, format: 'x' })).toThrow(/model\.json: format: expected 'spikelite-demo-model'/);
    expect(() => parseDemoModel({ ...modelJson, classNames: ['a'] })).toThrow(/model\.json: classNames: expected 10 names/);
    expect(() => buildSnn(loaded.model, new Float32Array(100))).toThrow(/model\.weights\.bin: 'layers\.0\.kernel' runs past the end of the file \(100 floats\)/);
    expect(() => parseSamples([{ index: 1 }])).toThrow(/samples\.json: \[0\]: expected \{ index, label, pixels \}/);
    const px = Uint8Array.from({ length: 784 }, (_, i) => (i * 37) % 256);
    expect(decodePixels(encodePixels(px))).toEqual(px);
  });
});

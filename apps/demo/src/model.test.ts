/**
 * The committed model asset and src/model.ts in Node (wasm): the asset rebuilds into an SNN
 * that predicts what the converted SNN predicted when the asset was made, the trace is
 * self-consistent (single-spike neurons fire at most once; the input spikes counted from the
 * image are the ones the encoder sent), and the energy shown equals a hand count of this
 * network's MACs and ACs.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { loadDataset } from '@spikelite/data';
import { initEngine } from '@spikelite/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argmax, buildSnn, decodePixels, encodePixels, energyOfTrace, parseDemoModel, parseSamples, traceImage, type LoadedSnn } from './model.js';

const publicDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'public');
const modelJson = JSON.parse(readFileSync(join(publicDir, 'model.json'), 'utf8')) as Record<string, unknown>;
const samples = parseSamples(JSON.parse(readFileSync(join(publicDir, 'samples.json'), 'utf8')));
let loaded: LoadedSnn;

/** Windows of a 2×2, stride-2 max pool over a [T × H×H×C] 0/1 raster (HWC order) that hold a spike, summed over T. */
function orPool2x2(raster: Uint8Array, T: number, H: number, C: number): number {
  let n = 0;
  for (let t = 0; t < T; t++) {
    const at = (y: number, x: number, c: number): number => raster[t * H * H * C + (y * H + x) * C + c]!;
    for (let y = 0; y < H; y += 2) for (let x = 0; x < H; x += 2) for (let c = 0; c < C; c++) n += at(y, x, c) | at(y, x + 1, c) | at(y + 1, x, c) | at(y + 1, x + 1, c);
  }
  return n;
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  const model = parseDemoModel(modelJson);
  const bytes = readFileSync(join(publicDir, model.weightsFile));
  loaded = buildSnn(model, new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
});
afterAll(() => loaded?.dispose());

describe('demo model asset', () => {
  const T = (): number => loaded.model.timesteps;

  it('is the hybrid-converted fmnist-cnn-bn at T = 5: single-spike LIF with trained θ and λ = 1, hybrid input', () => {
    const m = loaded.model;
    expect(m.timesteps).toBe(5);
    expect(m.encoding).toEqual({ kind: 'hybrid', analogSteps: 1, temporal: { mapping: 'linear', tMin: 1, threshold: 0 } });
    expect(m.energyInput.analogSteps).toBe(1);
    expect(m.neurons.map((n) => n.kind)).toEqual(['singleSpikeLif', 'singleSpikeLif', 'singleSpikeLif']);
    for (const [i, n] of m.neurons.entries()) {
      if (n.kind !== 'singleSpikeLif') throw new Error('unreachable');
      expect(n.leak).toBe(1);
      expect(n.threshold).toBeGreaterThan(0);
      // The layer table shows the neuron's (trained) θ, and the SNN runs with it.
      expect(m.layers[i]!.threshold).toBe(n.threshold);
      const layer = loaded.snn.neurons[i]!;
      if (layer.mode !== 'step') throw new Error('unreachable');
      expect(layer.getParameter('threshold')[0]).toBeCloseTo(n.threshold, 6);
    }
    expect(m.layers.map((l) => l.neurons)).toEqual([28 * 28 * 16, 14 * 14 * 32, 128]);
    expect(m.evaluation.images).toBe(1000);
    // Within 5 points of its ANN on the shipped 1,000 test images, and cheaper than it.
    expect(m.evaluation.accuracy).toBeGreaterThan(0.85);
    expect(m.evaluation.annAccuracy - m.evaluation.accuracy).toBeLessThan(0.05);
    expect(m.evaluation.energyRatio).toBeGreaterThan(2);
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

  it('the trace: U(t) per step, prediction = argmax U(T), raster sums = spike counts, every neuron fires at most once', async () => {
    for (const k of [0, 7]) {
      const tr = await traceImage(loaded, decodePixels(samples[k]!.pixels));
      expect(tr.membrane).toHaveLength(T());
      expect(tr.prediction).toBe(argmax(tr.membrane[T() - 1]!));
      tr.spikes.forEach((s, l) => {
        const n = loaded.model.layers[l]!.neurons;
        expect(s.length).toBe(T() * n);
        const perNeuron = new Array<number>(n).fill(0);
        for (let t = 0; t < T(); t++) {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            sum += s[t * n + i]!;
            perNeuron[i]! += s[t * n + i]!;
          }
          expect(sum, `layer ${l} step ${t}`).toBe(tr.counts[l]![t]);
        }
        // Single-spike neurons: the layer fires, and no neuron more than once (what the page shows).
        expect(Math.max(...perNeuron), `layer ${l}`).toBe(1);
        expect(tr.maxSpikesPerNeuron[l]).toBe(1);
      });
      const total = tr.counts.flat().reduce((a, v) => a + v, 0);
      expect(total / loaded.model.layers.reduce((a, l) => a + l.neurons, 0)).toBeLessThanOrEqual(1);
    }
  });

  it('the input: the analog image at t = 1, then one spike per non-black pixel (the spikes the encoder sent, counted from the image here)', async () => {
    for (const k of [0, 3, 7]) {
      const px = decodePixels(samples[k]!.pixels);
      const tr = await traceImage(loaded, px);
      const nonBlack = px.reduce((a, v) => a + (v > 0 ? 1 : 0), 0);
      // What the encoder actually sent into conv 1, per step (SnnModel's input counts: non-zero
      // input elements, so the analog image at t = 1 counts its non-black pixels).
      expect(tr.inputByStep[0]).toBe(nonBlack);
      expect(tr.inputByStep.slice(1).reduce((a, v) => a + v, 0)).toBe(nonBlack);
      expect(tr.inputSpikes).toBe(nonBlack);
      // Brighter earlier: a white pixel (255) fires at t = 2 (0-based step 1), so that step has at least those.
      expect(tr.inputByStep[1]).toBeGreaterThanOrEqual(px.reduce((a, v) => a + (v === 255 ? 1 : 0), 0));
    }
  });

  it('energy equals a hand count: F_l by hand, the analog image once plus one AC per input spike, one AC per spike that reaches a synapse', async () => {
    // conv 3×3 1→16 on 28×28, conv 3×3 16→32 on 14×14, linear 1568→128, linear 128→10.
    const F = [3 * 3 * 1 * 16 * 28 * 28, 3 * 3 * 16 * 32 * 14 * 14, 7 * 7 * 32 * 128, 128 * 10];
    const annPj = (F[0]! + F[1]! + F[2]! + F[3]!) * 4.6;
    for (const k of [3, 7]) {
      const pixels = decodePixels(samples[k]!.pixels);
      const tr = await traceImage(loaded, pixels);
      const spikes = tr.counts.map((c) => c.reduce((a, v) => a + v, 0));
      const nonBlack = pixels.reduce((a, v) => a + (v > 0 ? 1 : 0), 0);
      // The 2×2 max pools pass an OR of each window at every step: counted here over the raster.
      const arriving = [orPool2x2(tr.spikes[0]!, T(), 28, 16), orPool2x2(tr.spikes[1]!, T(), 14, 32)];
      expect(tr.inputCounts).toHaveLength(4);
      // Non-zero input elements: the non-black pixels once as the analog image, once as spikes.
      expect(tr.inputCounts[0]).toBe(2 * nonBlack);
      expect(tr.inputCounts.slice(1)).toEqual([arriving[0], arriving[1], spikes[2]]);
      // Per element, an OR of four passes at least the window's mean and at most four times it.
      arriving.forEach((n, i) => {
        const [emitted, elements] = [spikes[i]! / [28 * 28 * 16, 14 * 14 * 32][i]!, [14 * 14 * 16, 7 * 7 * 32][i]!];
        expect(n / elements).toBeGreaterThan(emitted);
        expect(n / elements).toBeLessThanOrEqual(4 * emitted);
      });
      const snnPj = F[0]! * 4.6 + 0.9 * (F[0]! * (nonBlack / 784) + F[1]! * (arriving[0]! / (14 * 14 * 16)) + F[2]! * (arriving[1]! / (7 * 7 * 32)) + F[3]! * (spikes[2]! / 128));
      const e = energyOfTrace(loaded, tr).energy;
      expect(e.profile).toBe('cmos45nm-fp32');
      expect(e.annPj).toBeCloseTo(annPj, 3);
      expect(Math.abs(e.snnPj / snnPj - 1), `sample ${k}`).toBeLessThan(1e-9);
      expect(Math.abs(e.ratio / (annPj / snnPj) - 1), `sample ${k}`).toBeLessThan(1e-9);
      // Charged by the spikes entering the pools instead (ζ of the neurons), the SNN would look cheaper.
      const zetaPj = F[0]! * 4.6 + 0.9 * (F[0]! * (nonBlack / 784) + F[1]! * (spikes[0]! / (28 * 28 * 16)) + F[2]! * (spikes[1]! / (14 * 14 * 32)) + F[3]! * (spikes[2]! / 128));
      expect(e.ratio).toBeLessThan(annPj / zetaPj);
    }
  });

  it("the asset's evaluation is what the 1,000 shipped test images give now (accuracy, spikes, pooled energy with each image's input spikes)", async () => {
    const set = (await loadDataset(join(publicDir, '..', '..', 'cli', 'data', 'fashion-mnist-mini'))).test;
    const size = set.height * set.width * set.channels;
    const counts = loaded.model.layers.map(() => new Array<number>(T()).fill(0));
    const inputCounts = new Array<number>(4).fill(0);
    let hits = 0;
    for (let i = 0; i < set.count; i += 250) {
      const n = Math.min(250, set.count - i);
      const [pred, c, inp] = tf.tidy(() => {
        const r = loaded.snn.forward(tf.tensor4d(set.images.subarray(i * size, (i + n) * size), [n, set.height, set.width, set.channels]), { release: true, countInputs: true });
        return [tf.argMax(r.logits, 1), r.spikeCounts, tf.sum(r.inputCounts!, 1)];
      });
      Array.from(pred.dataSync() as Int32Array).forEach((p, k) => (hits += p === set.labels[i + k] ? 1 : 0));
      Array.from(c.dataSync() as Float32Array).forEach((v, j) => (counts[Math.floor(j / T())]![j % T()]! += v / set.count));
      Array.from(inp.dataSync() as Float32Array).forEach((v, w) => (inputCounts[w]! += v / set.count));
      tf.dispose([pred, c, inp]);
    }
    // The mean image's input spikes, by hand: every non-black pixel once (T > 1).
    const inputSpikes = set.images.reduce((a, v) => a + (v > 0 ? 1 : 0), 0) / set.count;
    const ev = loaded.model.evaluation;
    expect(set.count).toBe(ev.images);
    expect(hits / set.count).toBe(ev.accuracy);
    expect(counts.flat().reduce((a, v) => a + v, 0) / loaded.model.layers.reduce((a, l) => a + l.neurons, 0)).toBeCloseTo(ev.spikesPerNeuron, 9);
    // The mean image's energy: the layers after the pools charged by the pools' output, conv 1 by the analog image once and the input spikes.
    expect(energyOfTrace(loaded, { counts, inputCounts, inputSpikes }).energy.ratio).toBeCloseTo(ev.energyRatio, 6);
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

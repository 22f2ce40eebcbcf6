/**
 * The README's `convert` example is examples/readme.ts, verbatim, and it runs: a quick ANN on
 * 1,000 Fashion-MNIST images, converted with the threshold recipe (T = 8) and swept with FS
 * neurons over K. Checked against what is known without the conversion code: the ANN's MACs
 * by hand, chance (10 %), and FS coding at K = 10 being close to exact for ReLU.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { Network, presetSpec } from '@spikelite/models';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { calibrateExample } from '../examples/calibrate.js';
import { readmeExample } from '../examples/readme.js';

afterEach(() => {
  vi.restoreAllMocks();
});

// fmnist-small, hand-counted: conv 3·3·1·32 at 28·28, conv 3·3·32·64 at 14·14, 3136·128, 128·10.
const ANN_MACS = 3 * 3 * 1 * 32 * 28 * 28 + 3 * 3 * 32 * 64 * 14 * 14 + 7 * 7 * 64 * 128 + 128 * 10;

describe('README convert example', () => {
  it('is in the README, verbatim', () => {
    const example = readFileSync(new URL('../examples/readme.ts', import.meta.url), 'utf8');
    expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

  it('converts: one positive threshold per activation, accuracy far above chance, FS at K = 10 as the ANN', async () => {
    const logged: unknown[][] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logged.push(a));
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const r = await readmeExample();
    // Printed when written: ANN 66.4 %; threshold T = 8: 59.8 %, 0.96 spikes/neuron;
    // fs K = 4: 64.4 %, 0.61; K = 10: 66.8 %, 2.32 (500 test images).
    expect(r.annAccuracy).toBeGreaterThan(0.5);

    // fmnist-small has three ReLUs: each became a LIF neuron (λ = 1) with a positive threshold per channel.
    expect(r.layers.map((l) => [l.layer, l.activation, l.neuron])).toEqual([['layers.1', 'relu', 'lif'], ['layers.4', 'relu', 'lif'], ['layers.8', 'relu', 'lif']]);
    expect(r.layers.map((l) => (l.threshold as number[]).length)).toEqual([32, 64, 128]);
    for (const l of r.layers) for (const th of l.threshold as number[]) expect(th).toBeGreaterThan(0);
    expect(logged[0]![0]).toEqual(r.layers);

    expect(r.threshold.steps).toBe(8);
    expect(r.threshold.accuracy).toBeGreaterThan(0.45);
    expect(r.threshold.perLayer.map((l) => l.neurons)).toEqual([28 * 28 * 32, 14 * 14 * 64, 128]);
    expect(r.threshold.spikesPerNeuron).toBeGreaterThan(0);

    expect(r.fs.map((row) => row.steps)).toEqual([4, 10]);
    const [k4, k10] = r.fs;
    expect(Math.abs(k10!.accuracy - r.annAccuracy)).toBeLessThanOrEqual(0.03);
    expect(k10!.spikesPerNeuron).toBeGreaterThan(k4!.spikesPerNeuron);
    // Every row costs the same ANN: 4.6 pJ per hand-counted MAC.
    for (const row of [r.threshold, ...r.fs]) expect(row.energy.annPj).toBeCloseTo(4.6 * ANN_MACS, 3);
  }, 300_000);
});

describe('README calibrateThresholds example', () => {
  it('is in the README, verbatim', () => {
    const example = readFileSync(new URL('../examples/calibrate.ts', import.meta.url), 'utf8');
    expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

  it("one positive threshold per activation; layer 1's is the 99.7th percentile of conv1's output, worked here", async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const thresholds = await calibrateExample();
    expect(thresholds).toHaveLength(3);
    for (const th of thresholds) expect(th).toBeGreaterThan(0);
    // With direct input layer 1's current is conv1(x) at every step (no bias in fmnist-small):
    // the same network and images, convolved here, sorted, k = 1 + round(0.01·99.7·(n − 1)).
    const net = Network.create(presetSpec('fmnist-small'), { seed: 0 });
    const current = tf.tidy(() => {
      const images = tf.randomUniform([64, 28, 28, 1], 0, 1, 'float32', 42) as tf.Tensor4D;
      return tf.conv2d(images, net.params.get('layers.0.kernel') as tf.Tensor4D, 1, 'same').dataSync();
    });
    net.dispose();
    const sorted = Float64Array.from(current).sort();
    expect(sorted.length).toBe(64 * 28 * 28 * 32);
    const k = 1 + Math.round(0.01 * 99.7 * (sorted.length - 1));
    expect(thresholds[0]).toBeCloseTo(sorted[k - 1]!, 5);
  }, 120_000);
});

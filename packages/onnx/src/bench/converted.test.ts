/**
 * The converted-SNN inference bench runs end to end on a few images: the fields of BENCH.md,
 * both SNN paths agreeing on every prediction, the ANN's accuracy from onnxruntime. Checks the
 * output, not the speed (a benchmark is never a timed test).
 */
import { initEngine } from '@spikelite/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { benchConvertedInference } from './converted.js';

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

describe('converted-SNN inference bench', () => {
  it('hybrid and general on 64 test images: one row each, paths agree', async () => {
    const rows = await benchConvertedInference(undefined, { testImages: 64, batch: 32, repeat: 1, latencyImages: 2 });
    expect(rows.map((r) => r.workload)).toEqual(['fmnist-cnn-hybrid-infer', 'fmnist-cnn-general-infer']);
    for (const r of rows) {
      expect(r.timesteps).toBe(r.workload === 'fmnist-cnn-hybrid-infer' ? 5 : 1);
      expect(r.prediction_mismatches).toBe(0);
      expect(r.accuracy).toBe(r.accuracy_dense);
      // The shipped ANN is a trained Fashion-MNIST net; converted without fine-tuning the SNNs
      // still classify far above chance (10 %).
      expect(r.ann_accuracy).toBeGreaterThan(0.8);
      expect(r.accuracy).toBeGreaterThan(0.3);
      expect(r.spikes_per_neuron).toBeGreaterThan(0);
      for (const k of ['snn_images_per_s', 'snn_dense_images_per_s', 'snn_cpu_images_per_s', 'snn_dense_cpu_images_per_s', 'snn_latency_ms_b1', 'ann_ort_images_per_s', 'ann_ort_latency_ms_b1'] as const) expect(r[k]).toBeGreaterThan(0);
      expect(r.spike_input_density).toBeGreaterThan(0);
      expect(r.spike_input_density).toBeLessThan(1);
    }
    // The event-driven runtime runs the hybrid SNN (predicting as the tfjs path does), not the general one.
    const [hybrid, general] = rows as [(typeof rows)[0], (typeof rows)[0]];
    expect(hybrid.runtime).not.toBeNull();
    expect(hybrid.runtime!.simd).toBe(true);
    expect(hybrid.runtime!.prediction_mismatches).toBe(0);
    expect(hybrid.runtime!.dense_prediction_mismatches).toBe(0);
    expect(hybrid.runtime!.accuracy).toBe(hybrid.accuracy);
    for (const k of ['images_per_s', 'dense_images_per_s', 'cpu_images_per_s', 'dense_cpu_images_per_s', 'latency_ms_b1', 'dense_latency_ms_b1', 'speedup_vs_tfjs_dense', 'speedup_vs_tfjs_dense_cpu', 'speedup_vs_own_dense'] as const) expect(hybrid.runtime![k]).toBeGreaterThan(0);
    expect(hybrid.runtime!.input_density).toBeGreaterThan(0);
    expect(hybrid.runtime!.input_density).toBeLessThan(1);
    expect(hybrid.runtime_note).toBeNull();
    expect(general.runtime).toBeNull();
    expect(general.runtime_note).toContain("the 'general' neuron is not supported by the event-driven runtime");
  }, 300_000);
});

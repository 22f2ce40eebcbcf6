/**
 * BENCH.md's workloads run end to end (the smallest, one timed step): the fields of
 * torch_ref.py's rows and what the engine reports, on one and two threads. Checks the output,
 * not the speed (a benchmark is never a timed test). Two threads need the built worker.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initEngine } from '@spikelite/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { runWorkload } from './workloads.js';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

beforeAll(async () => {
  const build = spawnSync(process.execPath, [join(pkg, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], { cwd: pkg, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`tsc -b failed:\n${build.stdout}${build.stderr}`);
  await initEngine({ backend: 'wasm' });
}, 300_000);

describe('BENCH.md workloads', () => {
  it('fmnist-small-T5, one thread, with the kernel profile', async () => {
    const r = await runWorkload('fmnist-small-T5', { steps: 1, profile: true });
    expect(r).toMatchObject({ workload: 'fmnist-small-T5', threads: 1, batch: 64, spike_mode: 'auto' });
    expect(r.engine).toMatch(/^spikelite-tfjs-4\.22\.0-wasm$/);
    for (const k of ['train_ms_per_step', 'infer_images_per_s', 'train_cpu_ms_per_step', 'infer_cpu_images_per_s'] as const) expect(r[k]).toBeGreaterThan(0);
    // The spike-fed layers (conv2, fc1, fc2) went through the engine's spike kernels.
    expect(r.spike_kernels.train.forward.sparse + r.spike_kernels.train.forward.dense).toBeGreaterThan(0);
    const phases = Object.keys(r.profile!.phases);
    expect(phases).toEqual(['forward', 'backward', 'optimizer']);
    expect(r.profile!.kernels.some((k) => k.phase === 'backward' && k.kernel === 'SpikeliteLifStepGrad')).toBe(true);
  }, 300_000);

  it('two threads report two threads; dense mode takes no event-driven path', async () => {
    const r = await runWorkload('fmnist-small-T5', { steps: 1, threads: 2, spikeMode: 'dense' });
    expect(r.threads).toBe(2);
    expect(r.spike_mode).toBe('dense');
    expect(r.spike_kernels.train.forward.sparse + r.spike_kernels.train.filter.sparse + r.spike_kernels.train.input.sparse).toBe(0);
    expect(r.train_ms_per_step).toBeGreaterThan(0);
  }, 300_000);

  it('an unknown workload is a clear error', async () => {
    await expect(runWorkload('imagenet-T5')).rejects.toThrow(/unknown workload 'imagenet-T5' \(expected one of fmnist-small-T5, cifar-vgg9-T5\)/);
  });
});

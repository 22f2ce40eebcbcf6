/**
 * `spikelite bench` end to end: the built CLI (dist/main.js, rebuilt incrementally first) on
 * the smallest workload with one timed step. Checks the output's shape, not the speed (a
 * benchmark is never a timed test).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, buildCliOnce, spawnCli, type CliRun } from '../test-support.js';

const cli = (...args: string[]): CliRun => spawnCli(['bench', ...args]);

beforeAll(buildCliOnce, BUILD_TIMEOUT_MS);

describe('spikelite bench', () => {
  it('one workload, one timed step: one JSON line with the fields of BENCH.md', () => {
    const r = cli('--workload', 'fmnist-small-T5', '--steps', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const row = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(row).sort()).toEqual([
      'batch', 'engine', 'infer_cpu_images_per_s', 'infer_images_per_s', 'load_average', 'spike_kernels', 'spike_mode', 'threads',
      'train_cpu_ms_per_step', 'train_ms_per_step', 'workload',
    ]);
    // threads: what ran (the main thread alone by default).
    expect(row).toMatchObject({ workload: 'fmnist-small-T5', threads: 1, batch: 64, spike_mode: 'auto' });
    expect(row.engine).toMatch(/^spikelite-tfjs-4\.22\.0-wasm$/);
    expect(row.train_ms_per_step).toBeGreaterThan(0);
    expect(row.infer_images_per_s).toBeGreaterThan(0);
    // Progress on stderr, stdout stays pure JSON lines.
    expect(r.stderr).toMatch(/fmnist-small-T5/);
  }, 120_000);

  it('--threads 2 trains on a worker thread too, and says so; --profile adds the kernel table', () => {
    const r = cli('--workload', 'fmnist-small-T5', '--steps', '1', '--threads', '2', '--profile', '--json');
    expect(r.code, r.stderr).toBe(0);
    const row = JSON.parse(r.stdout.trim()) as Record<string, unknown> & { profile: { categories: Record<string, number> } };
    expect(row.threads).toBe(2);
    expect(Object.keys(row.profile.categories).length).toBeGreaterThan(3);
  }, 240_000);

  it('bad input: one line, exit 2', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--workload', 'imagenet-T5'], /^spikelite: --workload: expected one of fmnist-small-T5, cifar-vgg9-T5, fmnist-cnn-hybrid-infer, fmnist-cnn-general-infer, got 'imagenet-T5'\n$/],
      [['--threads', '0'], /^spikelite: --threads: expected an integer ≥ 1, got '0'\n$/],
      [['--spike-mode', 'sparse'], /^spikelite: --spike-mode: expected one of auto, dense, got 'sparse'\n$/],
      [['--steps', '0'], /^spikelite: --steps: expected an integer ≥ 1, got '0'\n$/],
      [['--backend', 'gpu'], /^spikelite: --backend: expected one of auto, tensorflow, wasm, cpu, got 'gpu'\n$/],
      [['--warmup', '2'], /^spikelite: unknown flag '--warmup' \(see --help\)\n$/],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('--help: the workloads and an example', () => {
    const r = cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('fmnist-small-T5 | cifar-vgg9-T5 | fmnist-cnn-hybrid-infer | fmnist-cnn-general-infer');
    expect(r.stdout).toMatch(/^Example: spikelite bench --workload fmnist-small-T5/m);
  });
});

/**
 * `spikelite bench` end to end: the built CLI (dist/main.js, rebuilt incrementally first) on
 * the smallest workload with one timed step. Checks the output's shape, not the speed (a
 * benchmark is never a timed test).
 */
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { initEngine } from '@spikelite/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { threadsOf } from './bench.js';
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
    expect(Object.keys(row).sort()).toEqual(['batch', 'engine', 'infer_images_per_s', 'threads', 'train_ms_per_step', 'workload']);
    // threads: the wasm module's own count, 1 in Node (tfjs disables wasm threads there).
    expect(row).toMatchObject({ workload: 'fmnist-small-T5', threads: 1, batch: 64 });
    expect(row.engine).toMatch(/^spikelite-tfjs-4\.22\.0-wasm$/);
    expect(row.train_ms_per_step).toBeGreaterThan(0);
    expect(row.infer_images_per_s).toBeGreaterThan(0);
    // Progress on stderr, stdout stays pure JSON lines.
    expect(r.stderr).toMatch(/^fmnist-small-T5: warm-up step$/m);
  }, 120_000);

  it('threads is read from the backend, not assumed', async () => {
    await initEngine({ backend: 'wasm' });
    expect(threadsOf('wasm')).toBe(getThreadsCount());
    expect(threadsOf('cpu')).toBe(1);
    expect(threadsOf('tensorflow')).toBeNull();
  });

  it('bad input: one line, exit 2', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--workload', 'imagenet-T5'], /^spikelite: --workload: expected one of fmnist-small-T5, cifar-vgg9-T5, got 'imagenet-T5'\n$/],
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
    expect(r.stdout).toContain('fmnist-small-T5 | cifar-vgg9-T5');
    expect(r.stdout).toMatch(/^Example: spikelite bench --workload fmnist-small-T5/m);
  });
});

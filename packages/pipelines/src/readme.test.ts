/**
 * The README's first example is examples/hybrid.ts, verbatim, and it runs: from the repository
 * root (its paths), on the shipped model and data, printing accuracy, spikes and energy.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('README example', () => {
  const example = readFileSync(`${pkg}examples/hybrid.ts`, 'utf8');

  it('opens the README, verbatim, in 20 lines or fewer', () => {
    const readme = readFileSync(`${pkg}README.md`, 'utf8');
    const first = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(first).toBe(example);
    expect(example.trimEnd().split('\n').length).toBeLessThanOrEqual(20);
  });

  it('runs: hybrid conversion of the shipped CNN, accuracy near the ANN, at most one spike per neuron, less energy', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    const cwd = process.cwd();
    process.chdir(root);
    try {
      await import('../examples/hybrid.js');
    } finally {
      process.chdir(cwd);
    }
    expect(lines).toHaveLength(3);
    const [, acc, ann] = /^accuracy (\d+\.\d)% \(ANN (\d+\.\d)%\)$/.exec(lines[0]!)!.map(Number);
    // Printed when written: accuracy 86.0% (ANN 91.2%), spikes per neuron 0.280, energy ANN/SNN 4.75x.
    // Floors a real regression would break (500 test images: about ±1.5 points of noise).
    expect(ann).toBeGreaterThan(89);
    expect(acc).toBeGreaterThan(83);
    const spikes = Number(/^spikes per neuron (\d\.\d{3})$/.exec(lines[1]!)![1]);
    expect(spikes).toBeGreaterThan(0.15);
    expect(spikes).toBeLessThan(0.5);
    expect(Number(/^energy ANN\/SNN (\d+\.\d\d)x$/.exec(lines[2]!)![1])).toBeGreaterThan(3.5);
  }, 300_000);
});

describe('README sweep example', () => {
  const example = readFileSync(`${pkg}examples/sweep.ts`, 'utf8');

  it('is in the README, verbatim', () => {
    expect(readFileSync(`${pkg}README.md`, 'utf8')).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

  it('runs: a line per cell in the grid order, accuracy rising with T and K', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    const cwd = process.cwd();
    process.chdir(root);
    try {
      await import('../examples/sweep.js');
    } finally {
      process.chdir(cwd);
    }
    const cells = lines.map((l) => /^(threshold T|fs K)=(\d+) seed=(\d): (\d+\.\d)%$/.exec(l)!.slice(1));
    expect(cells.map(([m, s, seed]) => `${m}=${s} ${seed}`)).toEqual(['threshold T=4 0', 'threshold T=4 1', 'threshold T=8 0', 'threshold T=8 1', 'fs K=4 0', 'fs K=4 1', 'fs K=8 0', 'fs K=8 1']);
    // Printed when written (500 test images): threshold 85.0/85.4 % at T=4, 90.6/90.4 % at T=8;
    // fs 85.2/86.0 % at K=4, 91.6/91.6 % at K=8. Floors a broken conversion would break.
    for (const [, steps, , acc] of cells) expect(Number(acc)).toBeGreaterThan(steps === '8' ? 88 : 80);
  }, 300_000);
});

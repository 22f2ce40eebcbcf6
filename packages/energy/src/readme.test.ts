/**
 * The README's example is examples/readme.ts, verbatim, and its numbers are worked by hand here
 * from the fmnist-small preset (conv32 3×3 same → pool 2 → conv64 3×3 same → pool 2 → linear
 * 128 → linear 10, 28×28×1 input) and Horowitz's 45 nm FP32 figures (MAC 4.6 pJ, AC 0.9 pJ).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeExample } from '../examples/readme.js';

afterEach(() => {
  vi.restoreAllMocks();
});

// F_l per image: kh·kw·Cin·Cout·Hout·Wout for the convs, in·out for the linear layers.
const F = [3 * 3 * 1 * 32 * 28 * 28, 3 * 3 * 32 * 64 * 14 * 14, 7 * 7 * 64 * 128, 128 * 10];
const zeta = [0.94, 1.398, 1.226];
const [MAC, AC] = [4.6, 0.9];

describe('README example', () => {
  it('is in the README, verbatim', () => {
    const example = readFileSync(new URL('../examples/readme.ts', import.meta.url), 'utf8');
    expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

  it('costs fmnist-small as the hand-worked counts say, and prints the table and energy object', async () => {
    const stderr: string[] = [];
    const stdout: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void stderr.push(a.join(' ')));
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void stdout.push(a.join(' ')));
    const account = await readmeExample();

    expect(F).toEqual([225_792, 3_612_672, 401_408, 1_280]);
    const annMacs = F.reduce((a, b) => a + b); // 4,241,152
    const snnMacs = 5 * F[0]!; // the analog image into layer 1 at each of T = 5 steps
    const snnAcs = F[1]! * zeta[0]! + F[2]! * zeta[1]! + F[3]! * zeta[2]!; // 3,958,649.344
    const rows = account.energy.perLayer;
    expect(rows.map((r) => r.layer)).toEqual(['layers.0', 'layers.3', 'layers.7', 'layers.9']);
    expect(rows.map((r) => r.annMacs)).toEqual(F);
    expect(rows.map((r) => r.snnMacs)).toEqual([snnMacs, 0, 0, 0]);
    rows.slice(1).forEach((r, i) => expect(r.snnAcs).toBeCloseTo(F[i + 1]! * zeta[i]!, 6));
    expect(account.energy.annPj).toBeCloseTo(MAC * annMacs, 4); // 19,509,299.2
    expect(account.energy.snnPj).toBeCloseTo(MAC * snnMacs + AC * snnAcs, 4); // 8,756,000.41
    expect(account.energy.ratio).toBeCloseTo(19_509_299.2 / 8_756_000.4096, 10); // 2.23
    // F_1 once: 4.6·225,792 + 0.9·ACs = 4,601,427.61 pJ, ratio 4.24.
    expect(account.alternatives.firstLayerOnce.snnPj).toBeCloseTo(MAC * F[0]! + AC * snnAcs, 4);
    expect(account.alternatives.firstLayerOnce.ratio).toBeCloseTo(4.2398, 4);
    // LIF update: one multiply (MAC − AC = 3.7 pJ), two adds and a compare (0.9 pJ each) = 6.4 pJ
    // per neuron per step; 25,088 + 12,544 + 128 neurons × 5 steps, plus 10 output adds × 5.
    const neurons = [28 * 28 * 32, 14 * 14 * 64, 128];
    expect(account.neuronUpdates?.perLayer.map((r) => r.neurons)).toEqual([...neurons, 10]);
    expect(account.neuronUpdates?.snnPj).toBeCloseTo(neurons.reduce((a, b) => a + b) * 5 * 6.4 + 10 * 5 * AC, 6); // 1,208,365
    expect(account.includeNeuronUpdates).toBe(false);
    expect(account.compute).toEqual({ annPj: account.energy.annPj, snnPj: account.energy.snnPj, ratio: account.energy.ratio });

    // The README's comments are what the table prints.
    const table = stderr.join('\n');
    expect(table).toMatch(/^total +4\.241M +3\.959M +1\.129M +8\.756M$/m);
    expect(table).toContain('ratio 2.23× (ANN / SNN)');
    expect(table).toContain('counting F_1 once instead: SNN 4.601M pJ, ratio 4.24×');
    expect(table).toMatch(/neuron updates \(not included above;.*SNN 1\.208M pJ/);
    expect(stdout).toEqual([JSON.stringify(account.energy)]);
  });
});

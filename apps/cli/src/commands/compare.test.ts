/**
 * `spikelite compare` (the main job) in-process on tiny limits: every method runs on the shipped
 * ANN, each RunReport is valid and agrees with the table, the report and bundle are written.
 * Accuracy floors per method are set where a broken method would fall (200 training images).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunReport } from '@spikelite/schemas';
import { describe, expect, it } from 'vitest';
import { ReportBundle } from '../html-report/index.js';
import { scratchDir } from '../test-support.js';
import { compareCommand, formatTable, type CompareRow } from './compare.js';

describe('spikelite compare', () => {
  it('runs every method on the shipped ANN and writes reports, bundle and HTML', async () => {
    const out = scratchDir('compare');
    const r = (await compareCommand([
      '--limit-train', '200', '--limit-test', '120', '--general-epochs', '1', '--sweep-images', '60', '--calib', '64',
      '--backend', 'wasm', '--out', out, '--json',
    ])) as { table: CompareRow[]; report: string };
    expect(r.table.map((row) => row.method)).toEqual(['ann', 'threshold', 'diet', 'fs', 'hybrid', 'general']);
    const ann = r.table[0]!.accuracy;
    expect(ann).toBeGreaterThan(0.85); // the shipped CNN: 91.2 % on the 1,000 shipped test images
    // Floors per method on these 200 training / 120 test images (when written: threshold 87.5 %,
    // diet 89.2 %, fs 90.0 %, hybrid 83.3 %, general 40.0 % after its 1 epoch); a broken stage falls well below.
    const floors: Record<string, number> = { threshold: 0.8, diet: 0.85, fs: ann - 0.04, hybrid: 0.75, general: 0.3 };
    for (const row of r.table.slice(1)) {
      const report = RunReport.parse(JSON.parse(readFileSync(join(out, `${row.method}.json`), 'utf8')));
      expect(report.accuracy).toBe(row.accuracy);
      expect(report.annAccuracy).toBe(ann);
      expect(report.dataset.testSize).toBe(120);
      expect(report.energy.ratio).toBeCloseTo(report.energy.annPj / report.energy.snnPj, 9);
      expect(row.accuracy, row.method).toBeGreaterThan(floors[row.method]!);
    }
    // Single-spike hybrid neurons fire at most once; the general SNN runs one step.
    expect(r.table[4]!.spikesPerNeuron!).toBeLessThanOrEqual(1);
    expect(r.table[5]!.steps).toBe('1');
    const bundle = ReportBundle.parse(JSON.parse(readFileSync(join(out, 'bundle.json'), 'utf8')));
    expect(bundle.runs).toHaveLength(5);
    expect(bundle.sweeps.map((s) => s.method)).toEqual(['threshold', 'fs']);
    expect(bundle.sweeps[0]!.rows.map((row) => row.steps)).toEqual([1, 2, 3, 5, 8, 16]);
    expect(bundle.rasters.length).toBeGreaterThanOrEqual(5);
    const html = readFileSync(r.report, 'utf8');
    expect(html).toContain('<canvas');
    expect(html).not.toMatch(/<script[^>]+src=/);
  }, 600_000);

  it('rejects bad input with one clear line', async () => {
    await expect(compareCommand(['--methods', 'threshold,nope'])).rejects.toThrow("--methods: expected a comma-separated subset of threshold,diet,fs,hybrid,general, got 'threshold,nope'");
    await expect(compareCommand(['--onnx', '/nonexistent/model.onnx'])).rejects.toThrow('--onnx: /nonexistent/model.onnx: file not found');
    await expect(compareCommand(['--timesteps', '0'])).rejects.toThrow(/--timesteps: expected an integer ≥ 1/);
    await expect(compareCommand(['--bogus'])).rejects.toThrow(/unknown flag '--bogus'/);
    await expect(compareCommand(['--set', 'diet.bogus=1'])).rejects.toThrow(/--set: diet\.bogus=1: unknown option --bogus/);
    await expect(compareCommand(['--set', 'fs.scale=2'])).rejects.toThrow(/--scale: not an option of the fs method/);
    await expect(compareCommand(['--set', 'diet.scale=x'])).rejects.toThrow(/--scale: expected a positive number, got 'x'/);
  });

  it('formats the table with the ANN as reference', () => {
    const t = formatTable([
      { method: 'ann', steps: '-', accuracy: 0.906, spikesPerNeuron: null, energyRatio: null, wallS: 1 },
      { method: 'hybrid', steps: '5', accuracy: 0.8812, spikesPerNeuron: 0.2801, energyRatio: 6.4812, wallS: 150.4 },
    ]).split('\n');
    expect(t[0]).toMatch(/^method\s+T\/K\s+accuracy\s+spikes\/neuron\s+energy ANN\/SNN\s+wall$/);
    expect(t[2]).toMatch(/^ann\s+-\s+90\.60%\s+-\s+1 \(reference\)\s+1 s$/);
    expect(t[3]).toMatch(/^hybrid\s+5\s+88\.12%\s+0\.280\s+6\.48x\s+150 s$/);
  });
});

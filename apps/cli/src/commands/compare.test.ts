/**
 * `spikelite compare` (the main job) in-process on tiny limits: every method runs on the shipped
 * ANN, each RunReport is valid and agrees with the table, the report and bundle are written.
 * Accuracy bounds are loose on purpose (200 training images); the full numbers are in the note.
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
    expect(ann).toBeGreaterThan(0.8); // the shipped CNN: 90.6 % on the full test set
    for (const row of r.table.slice(1)) {
      const report = RunReport.parse(JSON.parse(readFileSync(join(out, `${row.method}.json`), 'utf8')));
      expect(report.accuracy).toBe(row.accuracy);
      expect(report.annAccuracy).toBe(ann);
      expect(report.dataset.testSize).toBe(120);
      expect(report.energy.ratio).toBeCloseTo(report.energy.annPj / report.energy.snnPj, 9);
      expect(row.accuracy).toBeGreaterThan(0.2); // chance is 0.1
    }
    // fs K=10 on ReLU is exact quantisation: it tracks the ANN closely even on few images.
    expect(Math.abs(r.table[3]!.accuracy - ann)).toBeLessThanOrEqual(0.05);
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

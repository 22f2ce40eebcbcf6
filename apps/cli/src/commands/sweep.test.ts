/**
 * `spikelite sweep` in this process: the grid from flags and from a YAML file give the same
 * cells; every cell's RunReport lands in <out>/runs/<runKey>.json; the table, sweep.json,
 * grid.json, bundle.json and report.html are written; a failed cell is in the table with its
 * error and the exit code says so; a second run skips the finished cells; bad input is one line.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunReport } from '@spikelite/schemas';
import { describe, expect, it } from 'vitest';
import { CommandOutcome } from '../errors.js';
import { ReportBundle } from '../html-report/index.js';
import { cliDir, cliErrorOf, onnxFixtures, scratchDir } from '../test-support.js';
import { type SweepRow, formatSweepTable } from '../sweep-output.js';
import { gridFromFlags } from '../sweep-grid.js';
import { sweepCommand } from './sweep.js';

const shipped = join(cliDir, 'data', 'fashion-mnist-mini');
const cnn = join(onnxFixtures, 'fmnist-cnn-bn.onnx');
const common = ['--data', shipped, '--limit-train', '500', '--limit-test', '80', '--backend', 'wasm', '--json'];

interface SweepJson {
  cells: SweepRow[];
  out: string;
  report: string | null;
}

describe('spikelite sweep (in this process)', () => {
  it('runs the grid, writes a report per cell and the HTML report; a failed cell is reported, the rest run; again skips', async () => {
    const out = scratchDir('sweep');
    const broken = join(out, 'broken.onnx');
    writeFileSync(broken, 'not an ONNX model');
    const argv = ['--onnx', `${cnn},${broken}`, '--methods', 'threshold,fs', '--timesteps', '2,4', '--seeds', '0,1', '--set', 'threshold.calib=32', '--set', 'fs.calib=32', '--out', out, ...common];
    const r = (await sweepCommand(argv)) as CommandOutcome;
    expect(r).toBeInstanceOf(CommandOutcome);
    expect(r.exitCode).toBe(3);
    expect(r.line).toBe('spikelite: sweep: 8 of 16 cells did not finish (see the table)');
    const { cells } = r.value as SweepJson;
    expect(cells.map((c) => c.label).slice(0, 4)).toEqual(['fmnist-cnn-bn threshold T=2 seed=0', 'fmnist-cnn-bn threshold T=2 seed=1', 'fmnist-cnn-bn threshold T=4 seed=0', 'fmnist-cnn-bn threshold T=4 seed=1']);
    expect(cells.map((c) => c.status)).toEqual([...Array(8).fill('done'), ...Array(8).fill('failed')]);
    for (const c of cells.slice(8)) expect(c.error).toMatch(/broken\.onnx/);
    // One RunReport per finished cell, named by its runKey.
    expect(readdirSync(join(out, 'runs')).sort()).toEqual(cells.slice(0, 8).map((c) => `${c.key}.json`).sort());
    for (const c of cells.slice(0, 8)) {
      const report = RunReport.parse(JSON.parse(readFileSync(join(out, c.report!), 'utf8')));
      expect(report.accuracy).toBe(c.accuracy);
      expect(report.method).toBe(c.method);
      expect(`${c.method === 'fs' ? 'K' : 'T'}=${report.timesteps}`).toBe(c.steps);
      expect(report.dataset).toEqual({ name: 'fashion-mnist-mini', trainSize: 500, testSize: 80 });
    }
    // T=4 is well above chance on the shipped CNN (T=2 is not, at 80 images).
    expect(cells.find((c) => c.label === 'fmnist-cnn-bn fs K=4 seed=0')!.accuracy!).toBeGreaterThan(0.6);
    // The HTML report: every run, and a series of accuracy against T/K per method and seed.
    const bundle = ReportBundle.parse(JSON.parse(readFileSync(join(out, 'bundle.json'), 'utf8')));
    expect(bundle.runs).toHaveLength(8);
    expect(bundle.sweeps.map((s) => [s.method, s.stepsLabel, s.rows.map((x) => x.steps)])).toEqual([
      ['fmnist-cnn-bn threshold seed=0', 'T', [2, 4]], ['fmnist-cnn-bn threshold seed=1', 'T', [2, 4]],
      ['fmnist-cnn-bn fs seed=0', 'K', [2, 4]], ['fmnist-cnn-bn fs seed=1', 'K', [2, 4]],
    ]);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<canvas');
    const summary = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { cells: Array<{ key: string; status: string; run: unknown }> };
    expect(summary.cells.map((c) => c.status)).toEqual(cells.map((c) => c.status));
    // grid.json is the grid pinned to its models' bytes: as --grid it gives the same cells, all done.
    const again = (await sweepCommand(['--grid', join(out, 'grid.json'), '--out', out, '--backend', 'wasm', '--json'])) as CommandOutcome;
    const rows = (again.value as SweepJson).cells;
    expect(rows.map((c) => c.key)).toEqual(cells.map((c) => c.key));
    expect(rows.map((c) => c.status)).toEqual([...Array(8).fill('skipped'), ...Array(8).fill('failed')]);
    expect(rows.map((c) => c.accuracy)).toEqual(cells.map((c) => c.accuracy));
  }, 300_000);

  it('takes the grid from a YAML file, with the same cells as the flags', async () => {
    const dir = scratchDir('sweep-yaml');
    const yaml = join(dir, 'grid.yaml');
    writeFileSync(yaml, [
      'models: [' + JSON.stringify(cnn) + ']',
      'methods: [fs]',
      'timesteps: [3]',
      'options:',
      '  fs:',
      '    fit: [samples, missing]',
      '    calib: 32',
      `data: { name: ${JSON.stringify(shipped)}, limitTrain: 500, limitTest: 80 }`,
      '',
    ].join('\n'));
    const fromFile = (await sweepCommand(['--grid', yaml, '--out', join(dir, 'a'), '--backend', 'wasm', '--json'])) as SweepJson;
    const fromFlags = (await sweepCommand(['--onnx', cnn, '--methods', 'fs', '--timesteps', '3', '--set', 'fs.fit=samples,missing', '--set', 'fs.calib=32', '--out', join(dir, 'b'), ...common])) as SweepJson;
    expect(fromFile.cells.map((c) => c.key)).toEqual(fromFlags.cells.map((c) => c.key));
    expect(fromFile.cells.map((c) => c.label)).toEqual(['fs K=3 fit=samples seed=0', 'fs K=3 fit=missing seed=0']);
    expect(fromFile.cells.map((c) => c.status)).toEqual(['done', 'done']);
  }, 300_000);

  it('rejects bad input with one clear line', async () => {
    const dir = scratchDir('sweep-bad');
    const bad = (argv: string[]): Promise<string> => cliErrorOf(sweepCommand([...argv, '--out', dir]), argv.join(' '));
    expect(await bad(['--methods', 'threshold,nope'])).toMatch(/^sweep grid: methods\.1: /);
    expect(await bad(['--set', 'fs.fit=samples,bogus'])).toMatch(/--fit: expected one of missing, layer, samples, got 'bogus'/);
    expect(await bad(['--set', 'fs.scale=2'])).toMatch(/--scale: not an option of the fs method/);
    expect(await bad(['--set', 'diet.epochs=1'])).toMatch(/sweep grid: options\.diet: diet is not among the methods \(threshold, fs\)/);
    expect(await bad(['--timesteps', '4,x'])).toMatch(/--timesteps: expected an integer ≥ 1, got 'x'/);
    expect(await bad(['--seeds', '0,,1'])).toMatch(/--seeds: expected a comma-separated list, got '0,,1'/);
    expect(await bad(['--onnx', '/nonexistent/a.onnx'])).toMatch(/sweep grid: models\.0: \/nonexistent\/a\.onnx: file not found/);
    expect(await bad(['--grid', join(dir, 'none.yaml')])).toMatch(/--grid: .*none\.yaml: file not found/);
    expect(await bad(['--grid', 'g.yaml', '--methods', 'fs'])).toMatch(/--grid: the grid file describes the whole grid; drop --methods/);
    writeFileSync(join(dir, 'bad.yaml'), 'models: [a.onnx]\nmethods: [fs]\ndata: { name: fashion-mnist }\nseeds: [-1]\n');
    expect(await bad(['--grid', join(dir, 'bad.yaml')])).toMatch(/--grid: .*bad\.yaml: sweep grid: seeds\.0: /);
    writeFileSync(join(dir, 'broken.yaml'), 'models: [a.onnx\n');
    expect(await bad(['--grid', join(dir, 'broken.yaml')])).toMatch(/--grid: .*broken\.yaml: not valid YAML/);
    expect(await bad(['--wait'])).toBe('--wait needs --queue redis://HOST:PORT');
    expect(await bad(['--queue', 'redis://127.0.0.1:1', '--backend', 'wasm'])).toMatch(/--backend: with --queue the workers choose their backend/);
    expect(await bad(['--queue', 'http://x'])).toMatch(/--queue: http:\/\/x: not a Redis URL/);
    expect(await bad(['--queue', 'redis://127.0.0.1:1'])).toBe('--queue: redis://127.0.0.1:1: cannot reach Redis (connect ECONNREFUSED 127.0.0.1:1)');
  });

  it('takes the data flags of the other commands: --transform moves its normalisation in front of the ONNX models', () => {
    const grid = gridFromFlags({ onnx: cnn, data: 'folder:/photos', transform: 'imagenet', 'skip-bad-images': true, 'limit-test': '50' }, cnn);
    expect(grid.data).toMatchObject({ name: 'folder:/photos', limitTest: 50, onError: 'skip' });
    const preprocess = grid.data.preprocess;
    if (preprocess === undefined || typeof preprocess === 'string') throw new Error('expected the transform as steps');
    expect(preprocess.steps.map((s) => s.kind)).toEqual(['resize', 'centerCrop', 'toTensor']);
    expect(grid.onnxInput).toMatchObject({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    expect(() => gridFromFlags({ data: shipped, transform: 'imagenet' }, cnn)).toThrow(/--transform: applies to folder:DIR and list:FILE data only/);
  });

  it('formats the table: a line per cell, a failed cell with its error', () => {
    const row = (over: Partial<SweepRow>): SweepRow => ({
      index: 0, key: '0123456789abcdef', label: '', model: 'cnn', method: 'threshold', steps: 'T=4', options: {}, seed: 0, status: 'done',
      accuracy: 0.8512, annAccuracy: 0.912, spikesPerNeuron: 0.1234, energyRatio: 2.345, wallS: 3.2, worker: null, error: null, report: null, ...over,
    });
    const t = formatSweepTable([row({}), row({ method: 'fs', steps: 'K=4', seed: 1, status: 'failed', error: 'x.onnx: not an ONNX model', accuracy: null })]).split('\n');
    expect(t[0]).toMatch(/^method\s+T\/K\s+seed\s+accuracy\s+ANN\s+spikes\/neuron\s+energy ANN\/SNN\s+wall\s+key$/);
    expect(t[2]).toMatch(/^threshold\s+T=4\s+0\s+85\.12%\s+91\.20%\s+0\.123\s+2\.35x\s+3 s\s+0123456789abcdef$/);
    expect(t[3]).toMatch(/^fs\s+K=4\s+1\s+failed: x\.onnx: not an ONNX model$/);
  });
});

/**
 * NIR through the CLI: `spikelite nir run` (spawned from dist/main.js) reproduces the NIR
 * paper's cross-simulator test — lif_norse.nir driven by the input column of lif_norse.csv
 * (tooling/fixtures/nir, from the NIR repository) gives the CSV's spike steps exactly and its
 * membrane to 1e-5 — and `spikelite import FILE.nir` prints the file's summary.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, buildCliOnce, cliDir, cliErrorOf, scratchDir, spawnCli } from '../test-support.js';
import { nirCommand } from './nir.js';

const NIR = join(cliDir, '..', '..', 'tooling', 'fixtures', 'nir');
const tmp = scratchDir('nir');

/** CSV text → rows of numbers (a first line with a non-number is the header). */
function csvRows(text: string): { header: string[] | null; rows: number[][] } {
  const lines = text.trim().split('\n').map((l) => l.split(','));
  const header = lines[0]!.some((v) => Number.isNaN(Number(v))) ? lines.shift()! : null;
  return { header, rows: lines.map((l) => l.map(Number)) };
}

beforeAll(buildCliOnce, BUILD_TIMEOUT_MS);

describe('spikelite nir run', () => {
  it("lif_norse.nir driven by lif_norse.csv's input column: the CSV's spike steps exactly, its membrane within 1e-5", () => {
    const out = join(tmp, 'lif.csv');
    const r = spawnCli(['nir', 'run', join(NIR, 'lif_norse.nir'), '--input', join(NIR, 'lif_norse.csv'), '--columns', '0', '--dt', '1e-4', '--convention', 'norse', '--record', 'v', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const expected = csvRows(readFileSync(join(NIR, 'lif_norse.csv'), 'utf8')).rows; // input, membrane, spike
    const written = csvRows(readFileSync(out, 'utf8'));
    expect(written.header).toEqual(['output[0]', 'v:1[0]']);
    expect(written.rows).toHaveLength(1000);
    const steps = (rows: number[][], col: number) => rows.flatMap((row, t) => (row[col] !== 0 ? [t] : []));
    expect(steps(written.rows, 0)).toEqual(steps(expected, 2));
    expect(steps(written.rows, 0)).toEqual([460, 510, 710, 760]);
    expect(Math.max(...written.rows.map((row, t) => Math.abs(row[1]! - expected[t]![1]!)))).toBeLessThan(1e-5);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ command: 'nir run', version: '0.1.1', steps: 1000, out, columns: ['output[0]', 'v:1[0]'] });
    expect(json['output']).toEqual({ node: 'output', readout: 'spikes', shape: [1], spikes: 4, spikeSteps: [460, 510, 710, 760] });
    expect(r.stderr).toMatch(/lif_norse\.nir \(NIR 0\.1\.1\): 1000 steps of .*lif_norse\.csv; output 'output' \(spikes\): 4 spikes at steps 460, 510, 710, 760; wrote .*lif\.csv\n/);
  });

  it('without --record: the output column only; the input columns as given', async () => {
    const out = join(tmp, 'plain.csv');
    const csv = join(tmp, 'in.csv');
    copyFileSync(join(NIR, 'lif_norse.csv'), csv);
    const r = await nirCommand(['run', join(NIR, 'lif_norse.nir'), '--input', csv, '--columns', '0', '--dt', '1e-4', '--out', out]);
    expect(r.columns).toEqual(['output[0]']);
    expect(csvRows(readFileSync(out, 'utf8')).rows.flatMap((row, t) => (row[0] !== 0 ? [t] : []))).toEqual([460, 510, 710, 760]);
  });

  it('bad input: one line naming the flag, file, node or line', async () => {
    const lif = join(NIR, 'lif_norse.nir');
    const csv = join(NIR, 'lif_norse.csv');
    const out = join(tmp, 'x.csv');
    const cases: Array<[string[], string | RegExp]> = [
      [[], "nir: expected a subcommand: run (got none; see spikelite nir --help)"],
      [['walk', lif], "nir: expected a subcommand: run (got 'walk'; see spikelite nir --help)"],
      [['run'], 'nir run: expected one NIR FILE, got none (see --help)'],
      [['run', lif, '--out', out], '--input is required'],
      [['run', lif, '--input', csv], '--out is required'],
      [['run', join(tmp, 'none.nir'), '--input', csv, '--out', out], `${join(tmp, 'none.nir')}: file not found`],
      [['run', lif, '--input', join(tmp, 'none.csv'), '--out', out], `--input: ${join(tmp, 'none.csv')}: file not found`],
      [['run', lif, '--input', csv, '--out', out, '--dt', '0'], "--dt: expected a positive number, got '0'"],
      [['run', lif, '--input', csv, '--out', out, '--convention', 'brian'], "--convention: expected one of nir, norse, snntorch, spikingjelly, got 'brian'"],
      [['run', lif, '--input', csv, '--out', out, '--columns', 'a'], "--columns: expected 0-based column numbers separated by commas, e.g. 0 or 0,2, got 'a'"],
      [['run', lif, '--input', csv, '--out', out, '--record', 'i'], "--record: expected one of v, got 'i'"],
      // The file's own errors (@spikelite/nir): the node, the CSV line.
      [['run', lif, '--input', csv, '--out', out, '--columns', '0'], "lif_norse.nir: node '1' (LIF): needs dt (seconds per step): NIR files do not store it; pass dt, or the convention 'snntorch' (which implies 1e-4)"],
      [['run', lif, '--input', csv, '--out', out, '--dt', '1e-4'], /lif_norse\.nir: node 'input' \(Input\): input row 0 has 3 values, the node's shape \(1\) holds 1$/],
      [['run', lif, '--input', csv, '--out', out, '--dt', '1e-4', '--columns', '3'], /lif_norse\.csv: line 1 has 3 column\(s\), column 3 was asked for$/],
    ];
    for (const [args, message] of cases) {
      const line = await cliErrorOf(nirCommand(args), args.join(' '));
      if (typeof message === 'string') expect(line, args.join(' ')).toContain(message);
      else expect(line, args.join(' ')).toMatch(message);
    }
  });
});

describe('spikelite import FILE.nir', () => {
  it('prints the summary, by extension or by content; --json: the summary object', () => {
    const r = spawnCli(['import', join(NIR, 'cnn_sinabs.nir')]);
    expect(r.code, r.stderr).toBe(0);
    const text = r.stdout.split('\n');
    expect(text[0]).toBe('NIR 0.2.0: 15 nodes, 14 edges, 66,800 parameters, 8,970 neurons');
    expect(text[1]).toBe('input input (2, 34, 34); output output (10)');
    expect(text).toContain('  1       IF         (16, 16, 16), r 1, v_threshold 1, v_reset 0');
    expect(text).toContain('runs in spikelite: yes, as 13 layers; the Output carries spikes; needs dt (seconds per step): NIR files do not store it');
    // HDF5 content under another name; --convention snntorch implies a dt.
    const renamed = join(tmp, 'cnn.h5');
    copyFileSync(join(NIR, 'cnn_sinabs.nir'), renamed);
    const j = spawnCli(['import', renamed, '--convention', 'snntorch', '--json']);
    expect(j.code, j.stderr).toBe(0);
    const summary = JSON.parse(j.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ version: '0.2.0', edges: 14, parameters: 66800, neurons: 8970, needsDt: false, spikelite: { ok: true, layers: 13, readout: 'spikes' } });
    expect(summary['inputs']).toEqual([{ node: 'input', shape: [2, 34, 34] }]);
  });

  it('bad input: ONNX flags on a NIR file, NIR flags on an ONNX file, a corrupt NIR file: one line, exit 2', () => {
    const corrupt = join(tmp, 'corrupt.nir');
    copyFileSync(join(NIR, 'lif_norse.csv'), corrupt);
    const cases: Array<[string[], RegExp]> = [
      [['import', join(NIR, 'lif_norse.nir'), '--limit', '3'], /^spikelite: --limit: not used with a NIR file \(.*lif_norse\.nir\)\n$/],
      [['import', join(NIR, 'lif_norse.nir'), '--data', 'fashion-mnist'], /^spikelite: --data: not used with a NIR file/],
      [['import', join(cliDir, '..', '..', 'tooling', 'fixtures', 'onnx', 'fmnist-mlp.onnx'), '--dt', '1e-3'], /^spikelite: --dt: used with NIR files only, not .*fmnist-mlp\.onnx\n$/],
      [['import', corrupt], /^spikelite: .*corrupt\.nir: /m],
    ];
    for (const [args, message] of cases) {
      const r = spawnCli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    }
  });
});

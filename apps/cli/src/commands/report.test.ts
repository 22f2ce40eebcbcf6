/**
 * `spikelite report` in process: the happy path writes one HTML file from the committed real
 * runs; bad inputs are CliErrors of one line naming the file (and the field).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CliError } from '../errors.js';
import { scratchDir } from '../test-support.js';
import { reportCommand } from './report.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'html-report', 'fixtures');
const fx = (name: string): string => join(fixtures, name);
const dir = scratchDir('report-cmd');
const write = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

afterEach(() => {
  vi.restoreAllMocks();
});

async function failure(argv: string[]): Promise<CliError> {
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const e = await reportCommand(argv).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CliError);
  expect((e as CliError).message).not.toContain('\n');
  return e as CliError;
}

describe('spikelite report', () => {
  it('writes one HTML page from RunReports, sweeps and a raster bundle; --json gives the summary', async () => {
    const out = join(dir, 'nested', 'report.html');
    const summary = await reportCommand([fx('fmnist-diet.json'), fx('convert-fs-K10.json'), fx('convert-fs-sweep.json'), fx('rasters.json'), '--out', out, '--json']);
    expect(summary).toEqual({ out, runs: 2, sweeps: 1, rasters: 3 });
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<title>Fashion-MNIST: DIET-SNN, threshold and FS conversion</title>');
    expect(html).toContain('<canvas id="chart-energy-1">');
  });

  it('--title sets the title; without --json a line on stderr says what was written', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = join(dir, 'titled.html');
    await reportCommand(['--title', 'DIET vs FS', fx('fmnist-diet.json'), '--out', out]);
    expect(readFileSync(out, 'utf8')).toContain('<h1>DIET vs FS</h1>');
    expect(String(err.mock.calls[0]![0])).toMatch(/^wrote .*titled\.html: 1 runs, 0 sweeps, 0 rasters \(\d+ KiB\)\n$/);
  });

  it('--help prints the usage with an example and returns null', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await reportCommand(['--help'])).toBeNull();
    expect(String(out.mock.calls[0]![0])).toMatch(/\nExample: spikelite report .* --out report\.html/);
  });

  it('bad flags and files: one line naming the flag, the file or the field', async () => {
    const out = join(dir, 'never.html');
    const notJson = write('notes.json', 'accuracy: 0.9\n');
    const other = write('other.json', '{"hello": 1}');
    const array = write('array.json', '[1, 2]');
    const diet = JSON.parse(readFileSync(fx('fmnist-diet.json'), 'utf8')) as Record<string, unknown>;
    const badRun = write('bad-run.json', JSON.stringify({ ...diet, accuracy: 1.5 }));
    const cifar = write('cifar.json', JSON.stringify({ ...diet, dataset: { name: 'cifar10', trainSize: 50000, testSize: 10000 } }));
    const sweep = JSON.parse(readFileSync(fx('convert-fs-sweep.json'), 'utf8')) as { sweep: Array<Record<string, unknown>> };
    const badSweep = write('bad-sweep.json', JSON.stringify({ ...sweep, sweep: [{ ...sweep.sweep[0], steps: 0 }] }));
    const bundle = JSON.parse(readFileSync(fx('rasters.json'), 'utf8')) as { rasters: Array<{ timesteps: number }> };
    const badBundle = write('bad-bundle.json', JSON.stringify({ ...bundle, rasters: [{ ...bundle.rasters[1], timesteps: 2 }] }));
    const aDir = join(dir, 'a-dir.json');
    mkdirSync(aDir, { recursive: true });
    const cases: Array<[string[], RegExp]> = [
      [['--out', out], /give at least one input JSON file/],
      [[fx('fmnist-diet.json')], /--out FILE is required/],
      [[fx('fmnist-diet.json'), '--out', out, '--bogus'], /unknown flag '--bogus'/],
      [[fx('fmnist-diet.json'), '--out', out, '--title', ' '], /--title: expected a non-empty title/],
      [[join(dir, 'missing.json'), '--out', out], /missing\.json: file not found$/],
      [[aDir, '--out', out], /a-dir\.json: is a directory, expected a JSON file/],
      [[notJson, '--out', out], /notes\.json: not valid JSON \(/],
      [[other, '--out', out], /other\.json: not a report input: expected a report bundle .*RunReport .*convert --sweep --json/],
      [[array, '--out', out], /array\.json: not a report input/],
      [[badRun, '--out', out], /bad-run\.json: accuracy: expected a number in \[0, 1\], got 1\.5/],
      [[badSweep, '--out', out], /bad-sweep\.json: sweep\.0\.steps: /],
      [[badBundle, '--out', out], /bad-bundle\.json: rasters\.0\.layers\.0\.events\.\d+\.0: step \d is not below timesteps \(2\)/],
      [[fx('fmnist-diet.json'), cifar, '--out', out], /cifar\.json: dataset\.name 'cifar10' differs from 'fashion-mnist' \(.*fmnist-diet\.json\)/],
    ];
    for (const [argv, message] of cases) {
      const e = await failure(argv);
      expect(e.message, argv.join(' ')).toMatch(message);
    }
    expect(() => readFileSync(out)).toThrow(/ENOENT/);
  });

  it('an unwritable --out is one line naming the flag', async () => {
    const blocker = write('blocker', 'a file, not a directory');
    const e = await failure([fx('fmnist-diet.json'), '--out', join(blocker, 'report.html')]);
    expect(e.message).toMatch(/^--out: .*blocker\/report\.html: cannot write \((EEXIST|ENOTDIR)\)$/);
  });
});

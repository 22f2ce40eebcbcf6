/**
 * The `spikelite` entry point, spawned from dist/main.js (rebuilt incrementally first): usage,
 * --version, unknown commands, and every registered command's --help.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeModel } from '@spikelite/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_FASHION_MNIST as SHIPPED } from './setup.js';
import { BUILD_TIMEOUT_MS, buildCliOnce, cliDir, onnxFixtures, spawnCli as cli } from './test-support.js';

/** The commands the usage text lists (the lines under "commands:"). */
function listedCommands(usage: string): string[] {
  const block = usage.split('commands:\n')[1]?.split('\n\n')[0] ?? '';
  return block.split('\n').map((l) => /^ {2}(\S+) +\S/.exec(l)?.[1]).filter((n): n is string => n !== undefined);
}

/** Flatten → Gemm on 28×28 images, one weight NaN. */
function nanModel(): Uint8Array {
  const w = Array.from({ length: 10 * 784 }, (_, i) => Math.cos(i) / 30);
  w[5] = Number.NaN;
  const info = (name: string, dims: Array<number | string>) => ({
    name,
    type: { tensor_type: { elem_type: 1, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) } } },
  });
  return encodeModel({
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    graph: {
      name: 'nan',
      node: [{ op_type: 'Flatten', input: ['x'], output: ['f'] }, { op_type: 'Gemm', input: ['f', 'w', 'b'], output: ['y'], attribute: [{ name: 'transB', type: 2, i: 1 }] }],
      initializer: [{ name: 'w', dims: [10, 784], data_type: 1, float_data: w }, { name: 'b', dims: [10], data_type: 1, float_data: new Array<number>(10).fill(0) }],
      input: [info('x', ['N', 1, 28, 28])],
      output: [info('y', ['N', 10])],
    },
  });
}

beforeAll(buildCliOnce, BUILD_TIMEOUT_MS);

describe('spikelite', () => {
  it('no arguments: the usage on stderr, exit 2; --help: the same on stdout, exit 0', () => {
    const r = cli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^usage: spikelite <command> \[flags\]/m);
    const h = cli(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toBe(r.stderr);
    // Every command with a description, and 2-3 examples.
    for (const name of ['compare', 'train', 'convert', 'import', 'export', 'eval', 'energy', 'report', 'bench']) expect(listedCommands(h.stdout)).toContain(name);
    const examples = h.stdout.split('examples:\n')[1]!.split('\n\n')[0]!.split('\n');
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const e of examples) expect(e).toMatch(new RegExp(`^ {2}spikelite (${listedCommands(h.stdout).join('|')}) `));
  });

  it('--version: the package version', () => {
    const { version } = JSON.parse(readFileSync(join(cliDir, 'package.json'), 'utf8')) as { version: string };
    const r = cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  });

  it('an unknown command or a flag before the command: one line, exit 2', () => {
    const cases: Array<[string[], RegExp]> = [
      [['trian'], /^spikelite: unknown command 'trian' \(commands: .*train.*; spikelite --help\)\n$/],
      [['--json', 'train'], /^spikelite: unknown flag '--json' before the command/],
      [['help', 'trian'], /^spikelite: help: unknown command 'trian'/],
    ];
    for (const [args, message] of cases) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    }
  });

  it('a bad SPIKELITE_BACKEND is a user error naming the variable', () => {
    const r = cli(['bench', '--steps', '1'], { SPIKELITE_BACKEND: 'gpu' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("spikelite: SPIKELITE_BACKEND: unknown backend 'gpu' (expected one of: auto, tensorflow, wasm, cpu)\n");
  });

  it('one short line names the backend; why a faster one did not load only with --verbose', () => {
    const args = ['import', join(onnxFixtures, 'fmnist-mlp.onnx'), '--limit', '2', '--data', SHIPPED];
    const quiet = cli(args, { SPIKELITE_BACKEND: 'auto' });
    expect(quiet.code, quiet.stderr).toBe(0);
    const first = quiet.stderr.split('\n')[0]!;
    expect(first).toMatch(/^backend: (tensorflow|wasm|cpu)( \([a-z, ]+ not available; --verbose says why\))?$/);
    expect(quiet.stderr).not.toMatch(/unavailable:|tfjs_binding/);
    const loud = cli([...args, '--verbose'], { SPIKELITE_BACKEND: 'auto' });
    expect(loud.code, loud.stderr).toBe(0);
    // A fallback (tfjs-node missing, as on these machines) is explained with --verbose only.
    if (first.includes('not available')) expect(loud.stderr).toMatch(/^ {2}backend tensorflow unavailable: .+$/m);
  });

  it('a failed check exits 3: import of a model whose weights hold NaN, named on stderr', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikelite-main-'));
    const file = join(dir, 'nan.onnx');
    writeFileSync(file, nanModel());
    const r = cli(['import', file, '--limit', '4', '--data', SHIPPED]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/NOT ok .*weights with NaN or infinite values: layers\.\d+\.kernel \(1 NaN of \d+ values\)\n$/);
    expect(r.stderr).toMatch(/^spikelite: .*nan\.onnx: parity check failed: the model has weights with NaN or infinite values: layers\.\d+\.kernel/m);
  });

  it('every listed command: --help (and `help <cmd>`) exits 0 with an Example', () => {
    const commands = listedCommands(cli(['--help']).stdout);
    expect(commands.length).toBeGreaterThanOrEqual(9);
    for (const name of commands) {
      const r = cli([name, '--help']);
      expect(r.code, `${name} --help: ${r.stderr}`).toBe(0);
      expect(r.stdout, name).toMatch(/^spikelite /);
      expect(r.stdout, name).toMatch(/^Examples?:/m);
      expect(r.stdout, name).toContain(`spikelite ${name}`);
      expect(cli(['help', name]).stdout, name).toBe(r.stdout);
    }
    // --help wins over a bad flag on the same line.
    const train = cli(['train', '--not-a-flag', '-h']);
    expect(train.code).toBe(0);
    expect(train.stdout).toBe(cli(['help', 'train']).stdout);
  }, 120_000);
});

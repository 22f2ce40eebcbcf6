/**
 * `spikelite import`, called in-process (main.ts registers the command separately): the
 * summary and the onnxruntime parity of the ONNX fixtures, and one-line errors for bad input.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModel } from '@spikelite/onnx';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cliErrorOf, onnxFixtures as fixtures, scratchDir } from '../test-support.js';
import { CHECK_FAILED, CommandOutcome } from '../errors.js';
import { IMPORT_HELP, importCommand, type ImportResult } from './import.js';

const CNN = join(fixtures, 'fmnist-cnn-bn.onnx');
const tmp = scratchDir('import');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('spikelite import', () => {
  it('--json: the BN CNN summary (layers, parameters, MACs) and parity with onnxruntime on Fashion-MNIST test images', async () => {
    vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    const r = (await importCommand([CNN, '--json', '--limit', '32'])) as ImportResult;
    expect(r.command).toBe('import');
    expect(r.summary.layers.map((l) => l.kind)).toEqual(['conv2d', 'activation', 'maxPool', 'conv2d', 'activation', 'maxPool', 'flatten', 'linear', 'activation', 'linear']);
    // Hand count: conv 1→16 3x3 (+bias) 160, conv 16→32 3x3 4640, linear 1568→128 200832, linear 128→10 1290.
    expect(r.summary.totalParams).toBe(160 + 4640 + 200832 + 1290);
    // MACs: 28·28·16·9 + 14·14·32·144 + 1568·128 + 128·10.
    expect(r.summary.totalMacs).toBe(28 * 28 * 16 * 9 + 14 * 14 * 32 * 144 + 1568 * 128 + 128 * 10);
    expect(r.inputs).toEqual({ kind: 'dataset', name: expect.stringMatching(/^fashion-mnist(-mini)?$/), images: 32 });
    expect(r.parity.images).toBe(32);
    expect(r.parity.relativeDiff).toBeLessThanOrEqual(1e-4);
    expect(r.parity.top1Agreement).toBe(1);
    expect(r.parity.ok).toBe(true);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r); // plain JSON, nothing lost
  });

  it('without --json: the table and the verdict on stdout', async () => {
    vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    expect(await importCommand([join(fixtures, 'fmnist-mlp.onnx'), '--limit', '8'])).toBeNull();
    const text = out.join('');
    expect(text).toMatch(/layer\s+kind\s+output\s+params\s+MACs/);
    expect(text).toMatch(/parity with onnxruntime on 8 fashion-mnist(-mini)? test images, \w+ backend: .* ok\n$/);
  });

  it('a model whose input does not fit the dataset: seeded random inputs, and it says so', async () => {
    vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    // A 3x8x8 colour model: Flatten → Gemm with a bias.
    const file = join(tmp, 'rgb.onnx');
    const weights = Array.from({ length: 10 * 192 }, (_, i) => Math.sin(i) / 10);
    const tensor = (name: string, dims: number[], values: number[]) => ({ name, dims, data_type: 1, float_data: values });
    const info = (name: string, dims: Array<number | string>) => ({
      name,
      type: { tensor_type: { elem_type: 1, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) } } },
    });
    writeFileSync(
      file,
      encodeModel({
        ir_version: 8,
        opset_import: [{ domain: '', version: 17 }],
        graph: {
          name: 'rgb',
          node: [
            { op_type: 'Flatten', input: ['x'], output: ['f'] },
            { op_type: 'Gemm', input: ['f', 'w', 'b'], output: ['y'], attribute: [{ name: 'transB', type: 2, i: 1 }] },
          ],
          initializer: [tensor('w', [10, 192], weights), tensor('b', [10], Array.from({ length: 10 }, (_, i) => i / 10))],
          input: [info('x', ['N', 3, 8, 8])],
          output: [info('y', ['N', 10])],
        },
      }),
    );
    const r = (await importCommand([file, '--json', '--limit', '4', '--seed', '3'])) as ImportResult;
    expect(r.inputs).toEqual({ kind: 'random', seed: 3, images: 4, reason: 'the model takes [3, 8, 8] inputs, fashion-mnist has 1x28x28 images' });
    expect(r.summary.totalParams).toBe(1930);
    expect(r.parity.images).toBe(4);
    expect(r.parity.outputRange.span).toBeGreaterThan(0);
    expect(r.parity.ok).toBe(true);
  });

  it('a model with NaN and infinite weights: they are named, the check fails, exit code 3', async () => {
    const logs: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (logs.push(String(s)), true));
    const file = join(tmp, 'nan.onnx');
    const w = Array.from({ length: 10 * 784 }, (_, i) => Math.cos(i) / 30);
    w[7] = Number.NaN;
    w[8] = Number.POSITIVE_INFINITY;
    const tensor = (name: string, dims: number[], values: number[]) => ({ name, dims, data_type: 1, float_data: values });
    const info = (name: string, dims: Array<number | string>) => ({
      name,
      type: { tensor_type: { elem_type: 1, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) } } },
    });
    writeFileSync(file, encodeModel({
      ir_version: 8,
      opset_import: [{ domain: '', version: 17 }],
      graph: {
        name: 'nan',
        node: [{ op_type: 'Flatten', input: ['x'], output: ['f'] }, { op_type: 'Gemm', input: ['f', 'w', 'b'], output: ['y'], attribute: [{ name: 'transB', type: 2, i: 1 }] }],
        initializer: [tensor('w', [10, 784], w), tensor('b', [10], new Array<number>(10).fill(0))],
        input: [info('x', ['N', 1, 28, 28])],
        output: [info('y', ['N', 10])],
      },
    }));
    const outcome = await importCommand([file, '--json', '--limit', '4']);
    expect(outcome).toBeInstanceOf(CommandOutcome);
    const o = outcome as CommandOutcome;
    expect(o.exitCode).toBe(CHECK_FAILED);
    const r = o.value as ImportResult;
    expect(r.parity.ok).toBe(false);
    expect(r.parity.nonFinite).toEqual([{ name: expect.stringMatching(/kernel$/), nan: 1, infinite: 1, size: 7840 }]);
    expect(o.line).toMatch(/^spikelite: .*nan\.onnx: parity check failed: the model has weights with NaN or infinite values: layers\.\d+\.kernel \(1 NaN, 1 infinite of 7840 values\)$/);
    expect(logs.join('')).toMatch(/NOT ok .*; weights with NaN or infinite values: layers\.\d+\.kernel/);
  });

  it('bad input: one CliError line each, exit code 2', async () => {
    const truncated = join(tmp, 'truncated.onnx');
    writeFileSync(truncated, readFileSync(CNN).subarray(0, 2000));
    const notOnnx = join(tmp, 'text.onnx');
    writeFileSync(notOnnx, 'this is not a model\n');
    // An operator spikelite does not import (grouped convolutions, the old example here, now import).
    const hardmax = join(tmp, 'hardmax.onnx');
    const io = (name: string) => ({ name, type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: 'N' }, { dim_value: 4 }] } } } });
    writeFileSync(hardmax, encodeModel({
      ir_version: 8, opset_import: [{ domain: '', version: 17 }],
      graph: { name: 'hardmax', node: [{ op_type: 'Hardmax', input: ['x'], output: ['y'] }], initializer: [], input: [io('x')], output: [io('y')] },
    }));
    const cases: Array<[string[], RegExp]> = [
      [[], /import: expected one ONNX FILE, got none/],
      [[CNN, CNN], /expected one ONNX FILE, got '.*' '.*'/],
      [[join(tmp, 'missing.onnx')], /missing\.onnx: file not found/],
      [[truncated], /truncated\.onnx: not a readable ONNX model .*truncated/],
      [[notOnnx], /text\.onnx: not a readable ONNX model/],
      [[hardmax], /hardmax\.onnx: .*Hardmax/],
      [[CNN, '--limit', '0'], /--limit: expected an integer ≥ 1, got '0'/],
      [[CNN, '--bogus'], /unknown flag '--bogus'/],
    ];
    for (const [args, msg] of cases) expect(await cliErrorOf(importCommand(args), args.join(' ')), args.join(' ')).toMatch(msg);
  });

  it('--help text has the flags and an example', () => {
    for (const flag of ['--data', '--transform', '--limit', '--seed', '--json', '--dt', '--convention']) expect(IMPORT_HELP).toContain(flag);
    expect(IMPORT_HELP).toMatch(/^ {2}spikelite import \S+\.onnx/m);
    expect(IMPORT_HELP).toMatch(/^ {2}spikelite import \S+\.nir$/m);
  });
});

/**
 * `spikelite export`, called in-process (main.ts registers the command separately), on
 * checkpoints written here with @spikelite/training's saveCheckpoint: the ONNX file is
 * written, runs in onnxruntime and agrees with spikelite; the NIR file is written, reads back
 * (@spikelite/nir) and runs spike for spike as the checkpoint does, or exits 3 where NIR
 * cannot say what spikelite does (a soft reset); bad input is one CliError line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadDataset } from '@spikelite/data';
import { createEncoder } from '@spikelite/encoding';
import { initEngine } from '@spikelite/engine';
import { Network, presetSpec, SnnModel } from '@spikelite/models';
import { readNir } from '@spikelite/nir';
import { SnnOnnxSession } from '@spikelite/onnx';
import { EncodingSpec, NeuronSpec, parseWith, type EncodingSpecInput, type Method, type NeuronSpecInput } from '@spikelite/schemas';
import { saveCheckpoint, snnTarget } from '@spikelite/training';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SHIPPED_FASHION_MNIST } from '../setup.js';
import { CHECK_FAILED, CommandOutcome } from '../errors.js';
import { cliErrorOf, scratchDir } from '../test-support.js';
import { EXPORT_HELP, exportCommand, type ExportResult } from './export.js';

const tmp = scratchDir('export');
let images: tf.Tensor4D;

beforeAll(async () => {
  await initEngine();
  // The shipped subset (the first images of Fashion-MNIST): the same images with or without Debian's set.
  const data = await loadDataset(SHIPPED_FASHION_MNIST, { limitTrain: 1, limitTest: 32 });
  images = tf.tensor4d(data.test.images, [32, 28, 28, 1]);
});

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * An fmnist-small SNN checkpoint as `spikelite train` writes one, with thresholds that make
 * every layer fire (θ = 0.3 × the largest input current, layer by layer).
 */
async function writeCheckpoint(name: string, neuronInput: NeuronSpecInput, encodingInput: EncodingSpecInput, method: Method, T: number): Promise<string> {
  const dir = join(tmp, name);
  const spec = presetSpec('fmnist-small');
  const neuron = parseWith(NeuronSpec, neuronInput, 'neuron');
  const encoding = parseWith(EncodingSpec, encodingInput, 'encoding');
  const net = Network.create(spec, { seed: 1 });
  const snn = new SnnModel(net, { timesteps: T, neuron, encoder: createEncoder(encoding, { timesteps: T }) });
  snn.neurons.forEach((layer, l) => {
    if (layer.mode !== 'step') return;
    let max = 0;
    const r = snn.forward(images, { release: true, onNeuronInput: (i, _t, h) => void (i === l && (max = Math.max(max, tf.max(h).dataSync()[0]!))) });
    tf.dispose(r as unknown as tf.TensorContainer); // every tensor of the result
    layer.setParameter('threshold', 0.3 * max);
  });
  const target = snnTarget(snn, { kind: 'ce', on: 'final', labelSmoothing: 0 });
  const tensors = new Map([...target.state()].map(([k, v]) => [k, { shape: v.shape, values: Float32Array.from(v.dataSync()) }] as const));
  await saveCheckpoint(dir, { spec, neuron, encoding, method, epoch: 1, step: 1, rng: [1, 2, 3, 4] }, tensors);
  snn.dispose();
  net.dispose();
  return dir;
}

describe('spikelite export', () => {
  it('a DIET-style LIF checkpoint → .onnx that onnxruntime runs, agreeing with spikelite on 16 test images', async () => {
    const ck = await writeCheckpoint('diet', { kind: 'lif', leak: 0.9 }, { kind: 'direct' }, 'diet', 5);
    const out = join(tmp, 'out', 'diet.onnx');
    const logs: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (logs.push(String(s)), true));
    const r = (await exportCommand(['--checkpoint', ck, '--format', 'onnx', '--out', out, '--check', '16', '--json'])) as ExportResult;
    expect(existsSync(out)).toBe(true);
    expect(r).toMatchObject({ command: 'export', format: 'onnx', out, opset: 17, method: 'diet', timesteps: 5, encoding: 'direct' });
    expect(r.neuronLayers).toEqual([
      { layer: 'layers.1', neuron: 'lif' },
      { layer: 'layers.4', neuron: 'lif' },
      { layer: 'layers.8', neuron: 'lif' },
    ]);
    expect(r.inputs).toEqual({ kind: 'dataset', name: expect.stringMatching(/^fashion-mnist(-mini)?$/), images: 16 });
    const p = r.parity!;
    expect(p.images).toBe(16);
    expect(p.relativeDiff).toBeLessThanOrEqual(1e-4);
    expect(p.top1Agreement).toBe(1);
    for (const v of p.spikes.spikelite) expect(v).toBeGreaterThan(0);
    expect(p.spikes.differing).toBeLessThanOrEqual(p.spikes.total * 1e-5);
    expect(p.ok).toBe(true);
    expect(logs.join('')).toMatch(/onnxruntime vs spikelite .* on 16 fashion-mnist(-mini)? test images: logits max \|diff\| .*; ok\n/);
    // The file stands alone: a fresh session runs it on a batch of another size.
    const session = await SnnOnnxSession.create(readFileSync(out));
    const run = await session.run(new Float32Array(2 * 784).fill(0.5), [2, 1, 28, 28]);
    await session.release();
    expect(run.logits).toHaveLength(20);
    expect(run.spikes).toHaveLength(6);
  });

  it('a single-spike hybrid checkpoint with --timesteps 4 and --check 0 (no comparison)', async () => {
    const ck = await writeCheckpoint('hybrid', { kind: 'singleSpikeLif', leak: 0.95 }, { kind: 'hybrid', analogSteps: 1, temporal: { tMin: 1 } }, 'hybrid', 5);
    const out = join(tmp, 'hybrid.onnx');
    vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    const r = (await exportCommand(['--checkpoint', ck, '--out', out, '--timesteps', '4', '--check', '0', '--json'])) as ExportResult;
    expect(r).toMatchObject({ method: 'hybrid', timesteps: 4, encoding: 'hybrid', inputs: null, parity: null });
    expect(r.neuronLayers.map((l) => l.neuron)).toEqual(['singleSpikeLif', 'singleSpikeLif', 'singleSpikeLif']);
    expect(existsSync(out)).toBe(true);
  });

  it('bad input: one CliError line each, exit code 2', async () => {
    vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    const ck = join(tmp, 'diet');
    const fs = await writeCheckpoint('fs', { kind: 'fs', activation: 'relu', K: 4 }, { kind: 'direct' }, 'diet', 1);
    const ann = join(tmp, 'ann');
    const spec = presetSpec('fmnist-small');
    const net = Network.create(spec);
    await saveCheckpoint(ann, { spec, method: 'ann', epoch: 1, step: 1, rng: [1, 2, 3, 4] }, new Map([...net.params.snapshot()].map(([k, v]) => [k, { shape: [v.length], values: v }] as const)));
    net.dispose();
    const out = join(tmp, 'x.onnx');
    const cases: Array<[string[], RegExp]> = [
      [['--out', out], /--checkpoint is required/],
      [['--checkpoint', ck], /--out is required/],
      [['--checkpoint', ck, '--out', out, '--format', 'tflite'], /--format: expected one of onnx, nir, got 'tflite'/],
      [['--checkpoint', ck, '--out', out, '--dt', '1e-3'], /^--dt: used with --format nir only$/],
      [['--checkpoint', join(tmp, 'missing'), '--out', out], /--checkpoint: .*missing/],
      [['--checkpoint', ck, '--out', out, '--check', '-1'], /--check: expected an integer ≥ 0/],
      [['--checkpoint', ann, '--out', out], /holds an ANN \(method ann\); export writes SNNs/],
      [['--checkpoint', fs, '--out', out], /--checkpoint: .*fs.*: layers\.1: neuron kind 'fs' cannot be exported to ONNX; supported neurons: if, lif, singleSpikeLif/],
    ];
    for (const [args, msg] of cases) expect(await cliErrorOf(exportCommand(args), args.join(' ')), args.join(' ')).toMatch(msg);
    expect(existsSync(out)).toBe(false);
  });

  it('--format nir: a single-spike hybrid checkpoint and a hard-reset LIF one read back and run spike for spike', async () => {
    const logs: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (logs.push(String(s)), true));
    const hybrid = await writeCheckpoint('nir-hybrid', { kind: 'singleSpikeLif', leak: 0.95 }, { kind: 'hybrid', analogSteps: 1, temporal: { tMin: 1 } }, 'hybrid', 4);
    const out = join(tmp, 'nir', 'hybrid.nir');
    const r = (await exportCommand(['--checkpoint', hybrid, '--format', 'nir', '--out', out, '--check', '8', '--timesteps', '4', '--json'])) as ExportResult;
    expect(r).toMatchObject({ command: 'export', format: 'nir', out, opset: null, method: 'hybrid', timesteps: 4, encoding: 'hybrid', nir: { dt: 1e-3, convention: 'nir' } });
    // NIR has no fire-once neuron: each layer is written as one that cannot fire again (a warning each), the same spikes.
    expect(r.nir!.warnings).toHaveLength(3);
    for (const w of r.nir!.warnings) expect(logs.join('')).toContain(`warning: ${w}\n`);
    expect(r.inputs).toEqual({ kind: 'dataset', name: expect.stringMatching(/^fashion-mnist(-mini)?$/), images: 8 });
    const p = r.parity as { spikes: { differing: number; total: number; spikelite: number[]; nir: number[] }; maxAbsDiff: number; top1Agreement: number; ok: boolean };
    expect(p.spikes.differing).toBe(0);
    expect(p.spikes.nir).toEqual(p.spikes.spikelite);
    for (const v of p.spikes.spikelite) expect(v).toBeGreaterThan(0);
    expect([p.maxAbsDiff, p.top1Agreement, p.ok]).toEqual([0, 1, true]);
    expect(logs.join('')).toMatch(/the NIR file read back and run vs spikelite \(\w+\) on 8 fashion-mnist(-mini)? test images: 0 of [\d,]+ neuron steps spike differently \([\d,]+ spikes\); readout max \|diff\| 0 = 0 of the logit range [\d.]+, top-1 agreement 100\.0%; ok\n/);
    // The file stands alone: single-spike LIF (leak 0.95) as NIR LIF, the readout I before the Output.
    const doc = await readNir(new Uint8Array(readFileSync(out)), { source: out });
    expect(Object.values(doc.graph.nodes).map((n) => n.type).sort()).toEqual(['AvgPool2d', 'AvgPool2d', 'Conv2d', 'Conv2d', 'Flatten', 'I', 'LIF', 'LIF', 'LIF', 'Input', 'Linear', 'Linear', 'Output'].sort());
    const lif = await writeCheckpoint('nir-lif', { kind: 'lif', leak: 0.9, reset: 'hard' }, { kind: 'direct' }, 'diet', 3);
    const l = (await exportCommand(['--checkpoint', lif, '--format', 'nir', '--out', join(tmp, 'nir', 'lif.nir'), '--check', '4', '--dt', '1e-4', '--convention', 'snntorch', '--json'])) as ExportResult;
    expect(l.nir).toEqual({ dt: 1e-4, convention: 'snntorch', warnings: [] });
    expect((l.parity as { ok: boolean; spikes: { differing: number; total: number } }).spikes.differing).toBe(0);
    expect((l.parity as { ok: boolean }).ok).toBe(true);
  });

  it('--format nir: a soft reset is written as a hard one (warned), and the check fails with exit 3 (the file is written)', async () => {
    const logs: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (logs.push(String(s)), true));
    const soft = await writeCheckpoint('nir-soft', { kind: 'lif', leak: 0.9 }, { kind: 'direct' }, 'diet', 5);
    const out = join(tmp, 'nir', 'soft.nir');
    const r = await exportCommand(['--checkpoint', soft, '--format', 'nir', '--out', out, '--check', '8']);
    expect(r).toBeInstanceOf(CommandOutcome);
    const outcome = r as CommandOutcome;
    expect(outcome.exitCode).toBe(CHECK_FAILED);
    expect(outcome.value).toBeNull();
    expect(outcome.line).toBe(`spikelite: ${out}: the NIR graph computes other spikes than spikelite (see the warnings: what NIR cannot express was written differently); see the line above`);
    expect(logs.join('')).toMatch(/warning: layers\.1: soft \(subtractive\) reset written as a hard reset to 0/);
    expect(logs.join('')).toMatch(/: [1-9][\d,]* of [\d,]+ neuron steps spike differently .*; NOT ok \(every spike must agree; logits within 0\.0001\)\n/);
    expect(existsSync(out)).toBe(true);
  });

  it('--format nir: FS and general-SNN neurons cannot be written: one line naming the layer, exit 2', async () => {
    vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    const fs = await writeCheckpoint('nir-fs', { kind: 'fs', activation: 'relu', K: 4 }, { kind: 'direct' }, 'fs', 1);
    const general = await writeCheckpoint('nir-general', { kind: 'general' }, { kind: 'direct' }, 'general', 1);
    const out = join(tmp, 'nir', 'no.nir');
    expect(await cliErrorOf(exportCommand(['--checkpoint', fs, '--format', 'nir', '--out', out]))).toMatch(
      /^--checkpoint: .*nir-fs\S*: layers\.1 \(activation 'relu'\): neuron kind 'fs' cannot be written as NIR \(supported: .*\)$/,
    );
    expect(await cliErrorOf(exportCommand(['--checkpoint', general, '--format', 'nir', '--out', out]))).toMatch(
      /^--checkpoint: .*nir-general\S*: layers\.1 \(activation 'relu'\): neuron kind 'general' cannot be written as NIR/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('--help text has the flags and an example', () => {
    for (const flag of ['--checkpoint', '--format F', 'onnx (the default) or nir', '--out', '--timesteps', '--check', '--dt', '--convention', '--transform', '--json']) expect(EXPORT_HELP).toContain(flag);
    expect(EXPORT_HELP).toMatch(/^ {2}spikelite export --checkpoint \S+ --format onnx --out \S+\.onnx$/m);
    expect(EXPORT_HELP).toMatch(/^ {2}spikelite export --checkpoint \S+ --format nir --out \S+\.nir$/m);
  });
});

/**
 * Your own data through the CLI (issues 18 and 15), in-process: `--data folder:DIR`,
 * `list:FILE` and `nmnist:DIR` with `--transform`, `--skip-bad-images` and `--bins`.
 *  - Real data: the shipped Fashion-MNIST subset as a PNG ImageFolder (made by PIL:
 *    tooling/fixtures/folder/make_fashion_folders.py) gives `compare` the same table as the
 *    IDX files, and a list file in IDX order the same RunReport as IDX for a method that trains.
 *  - A normalising transform moves in front of the ONNX model; the transform is recorded in
 *    reports and checkpoints, and eval applies the checkpoint's.
 *  - Odd input is one line naming the folder or file.
 *  - Event recordings (synthetic N-MNIST files written here) as clips: an SNN with the frames
 *    encoding evaluated and exported to NIR on them.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { encodeNmnist, eventStream, openEventDataset } from '@spikelite/data';
import { createEncoder } from '@spikelite/encoding';
import { initEngine } from '@spikelite/engine';
import { Network, SnnModel } from '@spikelite/models';
import { EncodingSpec, ModelSpec, NeuronSpec, parseWith, RunReport } from '@spikelite/schemas';
import { saveCheckpoint, snnTarget } from '@spikelite/training';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { compareCommand, type CompareRow } from './commands/compare.js';
import { convertCommand } from './commands/convert.js';
import { energyCommand } from './commands/energy.js';
import { evalCommand } from './commands/eval.js';
import { exportCommand, type ExportResult } from './commands/export.js';
import { importCommand, type ImportResult } from './commands/import.js';
import { trainCommand } from './commands/train.js';
import { SHIPPED_FASHION_MNIST } from './setup.js';
import { cliErrorOf, cliDir, onnxFixtures, scratchDir } from './test-support.js';

const CNN = join(onnxFixtures, 'fmnist-cnn-bn.onnx');
const tmp = scratchDir('data');
const png = join(tmp, 'png');
/** The first 100 training and 200 test images of the shipped subset, as a PNG folder with train/ and val/. */
const sub = join(tmp, 'sub');
/** The same images as a list file, in IDX order. */
const list = join(tmp, 'sub.csv');
const GRAY = ['--transform', 'grayscale'];

/** Files of `dir/<class>/` whose name (the IDX index) is below `n`, as [class, file]. */
const firstImages = (dir: string, n: number): Array<[string, string]> =>
  readdirSync(dir).sort().flatMap((c) => readdirSync(join(dir, c)).filter((f) => Number(f.slice(0, -4)) < n).map((f) => [c, f] as [string, string]));

/** Captures stderr (the log) while `fn` runs. */
async function stderrOf<T>(fn: () => Promise<T>): Promise<{ value: T; stderr: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (lines.push(String(s)), true));
  try {
    return { value: await fn(), stderr: lines.join('') };
  } finally {
    spy.mockRestore();
  }
}

/** A copy of `from`'s class folders (all of them), some images each, for the error cases. */
function folderOf(name: string, perClass: number): string {
  const dir = join(tmp, name);
  const from = join(sub, 'val');
  for (const c of readdirSync(from).sort()) {
    mkdirSync(join(dir, c), { recursive: true });
    for (const f of readdirSync(join(from, c)).sort().slice(0, perClass)) copyFileSync(join(from, c, f), join(dir, c, f));
  }
  return dir;
}

const withoutWall = (r: RunReport) => ({ ...r, wallMs: 0, dataset: { ...r.dataset, name: '' } });

beforeAll(async () => {
  mkdirSync(png);
  // GNU tar (the data package's test extractor is not part of this package's sources).
  execFileSync('tar', ['-xzf', join(cliDir, '..', '..', 'tooling', 'fixtures', 'folder', 'fashion-mnist-mini-png.tar.gz'), '-C', png]);
  const lines = ['path,label,split'];
  for (const [split, n, to] of [['train', 100, 'train'], ['val', 200, 'val']] as const) {
    const files = firstImages(join(png, split), n);
    for (const [c, f] of files) {
      mkdirSync(join(sub, to, c), { recursive: true });
      copyFileSync(join(png, split, c, f), join(sub, to, c, f));
    }
    // IDX order: by index.
    for (const [c, f] of [...files].sort((a, b) => a[1].localeCompare(b[1]))) lines.push(`${join('sub', to, c, f)},${c},${split === 'train' ? 'train' : 'test'}`);
  }
  writeFileSync(list, `${lines.join('\n')}\n`);
  await initEngine({ backend: 'wasm' });
}, 120_000);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the Fashion-MNIST subset as image files gives the results of its IDX files', () => {
  it('compare on the PNG folder: the IDX table (accuracy, spikes, energy) for the methods that train nothing', async () => {
    const common = ['--methods', 'threshold,fs', '--calib', '100', '--sweep-images', '40', '--backend', 'wasm', '--json'];
    const run = (data: string[], out: string) => stderrOf(() => compareCommand([...data, ...common, '--out', join(tmp, out)]) as Promise<{ table: CompareRow[] }>);
    const folder = await run(['--data', `folder:${sub}`, ...GRAY], 'cmp-folder');
    const idx = await run(['--data', SHIPPED_FASHION_MNIST, '--limit-train', '100', '--limit-test', '200'], 'cmp-idx');
    const table = (r: { table: CompareRow[] }) => r.table.map((row) => ({ ...row, wallS: 0 }));
    expect(table(folder.value)).toEqual(table(idx.value));
    expect(table(folder.value).map((r) => r.method)).toEqual(['ann', 'threshold', 'fs']);
    expect(folder.value.table[0]!.accuracy).toBeGreaterThan(0.85);
    expect(folder.stderr).toMatch(/on sub \(100 train \/ 200 test images\)/);
    // Decoding progress goes through the log (one plain line here: stderr is not a terminal).
    expect(folder.stderr).toMatch(/^reading (train|test) images \d+\/\d+$/m);
  }, 300_000);

  it('a list file in IDX order: the IDX RunReport, fine-tuning included (diet)', async () => {
    const args = ['--onnx', CNN, '--method', 'diet', '--epochs', '1', '--calib', '64', '--timesteps', '3', '--backend', 'wasm', '--json'];
    const fromList = (await stderrOf(() => convertCommand([...args, '--data', `list:${list}`, ...GRAY]))).value as RunReport;
    const fromIdx = (await stderrOf(() => convertCommand([...args, '--data', SHIPPED_FASHION_MNIST, '--limit-train', '100', '--limit-test', '200']))).value as RunReport;
    expect(fromList.preprocess).toEqual({ name: 'grayscale', steps: [{ kind: 'grayscale', channels: 1 }, { kind: 'toTensor' }] });
    expect(fromList.dataset).toEqual({ name: 'sub', trainSize: 100, testSize: 200 });
    expect(fromIdx.preprocess).toBeUndefined();
    const { preprocess: _p, ...rest } = withoutWall(fromList);
    expect(rest).toEqual(withoutWall(fromIdx));
  }, 300_000);
});

describe('the transform', () => {
  it("a normalize step moves in front of the ONNX model: the same run as --mean/--std, both recorded; both at once is 'normalised twice'", async () => {
    const norm = JSON.stringify({ steps: [{ kind: 'grayscale' }, { kind: 'toTensor' }, { kind: 'normalize', mean: [0.5], std: [0.5] }] });
    const args = ['--onnx', CNN, '--method', 'threshold', '--calib', '32', '--data', `folder:${sub}`, '--limit-train', '32', '--limit-test', '64', '--backend', 'wasm', '--json'];
    const moved = (await stderrOf(() => convertCommand([...args, '--transform', norm]))).value as RunReport;
    const given = (await stderrOf(() => convertCommand([...args, ...GRAY, '--mean', '0.5', '--std', '0.5']))).value as RunReport;
    expect(moved.preprocess).toEqual({ steps: [{ kind: 'grayscale', channels: 1 }, { kind: 'toTensor' }] });
    expect(moved.modelInput).toEqual({ mean: [0.5], std: [0.5] });
    expect(withoutWall({ ...moved, preprocess: undefined })).toEqual(withoutWall({ ...given, preprocess: undefined }));
    expect(await cliErrorOf(convertCommand([...args, '--transform', norm, '--mean', '0.5', '--std', '0.5']))).toBe(
      '--transform: normalised twice: the transform normalises (mean 0.5, std 0.5) and the model has a mean/std (0.5 / 0.5); give one (the transform without its normalize step, or no mean/std) (--mean/--std)',
    );
  }, 120_000);

  it("is recorded in the checkpoint; eval and energy apply the checkpoint's when --transform is not given", async () => {
    const small = JSON.stringify({ steps: [{ kind: 'resize', size: [14, 14] }, { kind: 'grayscale' }, { kind: 'toTensor' }] });
    const out = join(tmp, 'ann14');
    const trained = (await stderrOf(() => trainCommand(['--method', 'ann', '--epochs', '1', '--data', `folder:${sub}`, '--transform', small, '--out', out, '--backend', 'wasm', '--json']))).value as RunReport;
    const steps = [{ kind: 'resize', size: [14, 14], interpolation: 'bilinear' }, { kind: 'grayscale', channels: 1 }, { kind: 'toTensor' }];
    expect(trained.preprocess).toEqual({ steps });
    const evaluated = await stderrOf(() => evalCommand(['--checkpoint', join(out, 'ann'), '--data', `folder:${sub}`, '--backend', 'wasm', '--json']));
    const report = evaluated.value;
    expect(evaluated.stderr).toContain('transform: the checkpoint\'s (resize → grayscale → toTensor)');
    expect(report.preprocess).toEqual({ steps });
    expect(report.accuracy).toBe(trained.accuracy);
    expect(report.dataset.testSize).toBe(200);
    const energy = (await stderrOf(() => energyCommand(['--checkpoint', join(out, 'ann'), '--data', `folder:${sub}`, '--backend', 'wasm', '--json']))).value as { annPj: number; ratio: number };
    expect(energy.annPj).toBe(report.energy.annPj);
    // Another transform gives other images: the model's input says what would fit.
    expect(await cliErrorOf(evalCommand(['--checkpoint', join(out, 'ann'), '--data', `folder:${sub}`, ...GRAY]))).toBe(
      "--data: images are 28x28x1 but the checkpoint's model expects 14x14x1 after the transform 'grayscale' (grayscale → toTensor): a resize or centerCrop step to 14×14 sets the size",
    );
  }, 240_000);

  it('import checks parity on the folder images (the transform applied)', async () => {
    const r = (await stderrOf(() => importCommand([CNN, '--data', `folder:${sub}`, ...GRAY, '--limit', '16', '--backend', 'wasm', '--json']))).value as ImportResult;
    expect(r.inputs).toEqual({ kind: 'dataset', name: `folder:${sub}`, images: 16 });
    expect(r.parity.ok).toBe(true);
  });
});

describe('odd input: one line naming the folder or file', () => {
  it('flags that do not apply, bad transforms, and what the data itself gets wrong', async () => {
    const mixed = join(tmp, 'mixed');
    const images = join(cliDir, '..', '..', 'tooling', 'fixtures', 'folder', 'images');
    for (const [c, f] of [['a', 'apple/tiny-20x30.png'], ['b', 'apple/rgb-180x320.png']] as const) {
      mkdirSync(join(mixed, c), { recursive: true });
      copyFileSync(join(images, f), join(mixed, c, f.split('/')[1]!));
    }
    const empty = folderOf('empty', 1);
    mkdirSync(join(empty, 'zz-nothing'));
    const eleven = folderOf('eleven', 1);
    mkdirSync(join(eleven, 'z-extra'));
    copyFileSync(join(eleven, '0-t-shirt-top', readdirSync(join(eleven, '0-t-shirt-top'))[0]!), join(eleven, 'z-extra', 'x.png'));
    const convert = (...a: string[]) => () => convertCommand(['--onnx', CNN, '--method', 'threshold', '--calib', '8', '--backend', 'wasm', ...a]);
    const cases: Array<[() => Promise<unknown>, string | RegExp]> = [
      [convert('--transform', 'grayscale'), '--transform: applies to folder:DIR and list:FILE data only, not --data fashion-mnist'],
      [convert('--skip-bad-images'), '--skip-bad-images: applies to folder:DIR and list:FILE data only, not --data fashion-mnist'],
      [convert('--data', `folder:${sub}`, '--bins', '5'), `--bins: applies to event data (nmnist:DIR) only, not --data folder:${sub}`],
      [convert('--data', `folder:${sub}`, '--transform', 'imagenett'), "--transform: unknown preset 'imagenett' (presets: tensor, grayscale, imagenet; or give the steps as JSON)"],
      [convert('--data', `folder:${sub}`, '--transform', '{"steps":[{"kind":"toTensor"},{"kind":"resize","size":8}]}'), /^--transform: steps\.1\.kind: resize must come before toTensor/],
      [convert('--data', `folder:${sub}`, '--transform', '{"steps":'), /^--transform: invalid JSON/],
      [convert('--data', `folder:${sub}`, '--transform', join(tmp, 'none.json')), `--transform: ${join(tmp, 'none.json')}: file not found`],
      [convert('--data', `folder:${empty}`, ...GRAY), `--data: ${join(empty, 'zz-nothing')}: empty class folder: no .jpg, .jpeg, .png, .webp images in class 'zz-nothing' (every subfolder of ${empty} is a class; remove the folder or add images)`],
      [convert('--data', `folder:${mixed}`), /^--data: .*mixed\/b\/rgb-180x320\.png: image is 320x180x3 \(HxWxC\) after preprocessing but .*mixed\/a\/tiny-20x30\.png is 30x20x3: images of different sizes need a resize or crop step/],
      [convert('--data', `folder:${eleven}`, ...GRAY), `--data: ${join(eleven, 'z-extra')}: class 'z-extra' has label 10, outside the model's 10 classes (0..9); the data has 11 classes`],
      [convert('--data', `folder:${sub}`), /^.*fmnist-cnn-bn\.onnx takes 1×28×28 images but sub has 3×28×28 after the transform 'tensor' \(toTensor\): a grayscale step gives 1 channel \(the preset 'grayscale'\)$/],
      [() => trainCommand(['--method', 'hybrid', '--data', `folder:${sub}`, '--transform', 'imagenet']), "the hybrid method's input spikes need pixels in [0, 1]: leave the normalize step out of the transform for a model trained here"],
    ];
    for (const [run, message] of cases) {
      const line = await cliErrorOf(stderrOf(run).then((r) => r.value));
      if (typeof message === 'string') expect(line).toBe(message);
      else expect(line).toMatch(message);
    }
  }, 120_000);

  it('a corrupt image stops the run (the default, naming it); --skip-bad-images leaves it out with a warning', async () => {
    const broken = folderOf('broken', 3);
    writeFileSync(join(broken, '3-dress', 'zz.png'), 'not a png');
    const args = ['--onnx', CNN, '--method', 'threshold', '--calib', '8', '--data', `folder:${broken}`, ...GRAY, '--backend', 'wasm', '--json'];
    expect(await cliErrorOf(stderrOf(() => convertCommand(args)).then((r) => r.value))).toMatch(
      new RegExp(`^--data: ${join(broken, '3-dress', 'zz\\.png')}: cannot decode image \\(.*\\); expected a JPEG, PNG or WebP file$`),
    );
    const skipped = await stderrOf(() => convertCommand([...args, '--skip-bad-images']));
    expect((skipped.value as RunReport).dataset.testSize).toBe(30);
    expect(skipped.stderr).toMatch(new RegExp(`^warning: skipped ${join(broken, '3-dress', 'zz\\.png')}: cannot decode image`, 'm'));
  }, 120_000);
});

describe('event recordings (nmnist:DIR) as clips of frames', () => {
  /** Synthetic N-MNIST: per digit d, `n` recordings of a bar at column 3d that moves down over 1 ms. */
  function writeNmnist(dir: string, n: number): void {
    for (const split of ['Train', 'Test']) {
      for (let d = 0; d < 10; d++) {
        mkdirSync(join(dir, split, String(d)), { recursive: true });
        for (let k = 0; k < n; k++) {
          const x: number[] = [];
          const y: number[] = [];
          const t: number[] = [];
          const p: number[] = [];
          for (let i = 0; i < 40; i++) {
            x.push(3 * d + (i % 3));
            y.push((i + k) % 34);
            t.push(i * 25);
            p.push(i % 2);
          }
          writeFileSync(join(dir, split, String(d), `${String(k).padStart(5, '0')}.bin`), encodeNmnist(eventStream(34, 34, { x, y, t, p })));
        }
      }
    }
  }

  it('an SNN with the frames encoding: eval reads one frame per step (bins = T), export --format nir checks on the clips', async () => {
    const dir = join(tmp, 'nmnist');
    writeNmnist(dir, 2);
    const T = 4;
    const spec = parseWith(ModelSpec, { input: { channels: 2, height: 34, width: 34 }, layers: [
      { kind: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', useBias: false }, { kind: 'activation', fn: 'relu' },
      { kind: 'avgPool', poolSize: 2 }, { kind: 'flatten' }, { kind: 'linear', units: 10, useBias: false },
    ] }, 'frames spec');
    const neuron = parseWith(NeuronSpec, { kind: 'if', threshold: 0.05, reset: 'hard' }, 'neuron');
    const encoding = parseWith(EncodingSpec, { kind: 'frames', channels: 2 }, 'encoding');
    const net = Network.create(spec, { seed: 3 });
    const snn = new SnnModel(net, { timesteps: T, neuron, encoder: createEncoder(encoding, { timesteps: T }) });
    const ck = join(tmp, 'frames-ck');
    const target = snnTarget(snn, { kind: 'ce', on: 'final', labelSmoothing: 0 });
    const tensors = new Map([...target.state()].map(([k, v]) => [k, { shape: v.shape, values: Float32Array.from(v.dataSync()) }] as const));
    await saveCheckpoint(ck, { spec, neuron, encoding, method: 'diet', epoch: 1, step: 1, rng: [1, 2, 3, 4], train: { method: 'diet', timesteps: T, epochs: 1, batchSize: 8, optimizer: { kind: 'adam', lr: 1e-3 }, seed: 0 } as never }, tensors);
    // The expected numbers, from the library: the clips (T bins), the SNN's logits and spikes.
    const clips = (await openEventDataset('nmnist', dir, { bins: T })).test;
    const images = tf.tensor4d(clips.images, [clips.count, 34, 34, 2 * T]);
    let spikes = 0;
    const r = snn.forward(images, { release: true, onSpikes: (_l, _t, s) => void (spikes += tf.sum(s).dataSync()[0]!) });
    const predicted = Array.from(tf.argMax(r.logits, 1).dataSync());
    tf.dispose([r.logits, r.spikeCounts, images]);
    const accuracy = predicted.filter((c, i) => c === clips.labels[i]).length / clips.count;
    const neurons = 34 * 34 * 4;
    snn.dispose();
    net.dispose();

    const evaluated = await stderrOf(() => evalCommand(['--checkpoint', ck, '--data', `nmnist:${dir}`, '--backend', 'wasm', '--json']));
    const report = RunReport.parse(evaluated.value);
    expect(report).toMatchObject({ method: 'diet', timesteps: T, dataset: { name: 'nmnist', testSize: 20 } });
    expect(report.accuracy).toBe(accuracy);
    expect(spikes).toBeGreaterThan(0);
    expect(report.spikes.perNeuron).toBeCloseTo(spikes / neurons / clips.count, 6);
    // Fewer bins than steps: not enough frames for T steps.
    expect(await cliErrorOf(evalCommand(['--checkpoint', ck, '--data', `nmnist:${dir}`, '--bins', '2']))).toBe(
      "--data: images are 34x34x4 but the checkpoint's model (frames encoding) takes clips of 4 or more frames of 34x34x2 (34x34x8 or more channels; an event dataset's bins are its frames)",
    );
    const out = join(tmp, 'frames.nir');
    const exported = (await stderrOf(() => exportCommand(['--checkpoint', ck, '--format', 'nir', '--out', out, '--data', `nmnist:${dir}`, '--check', '10', '--backend', 'wasm', '--json']))).value as ExportResult;
    expect(exported).toMatchObject({ format: 'nir', encoding: 'frames', inputs: { kind: 'dataset', name: `nmnist:${dir}`, images: 10 } });
    const p = exported.parity as { ok: boolean; spikes: { differing: number; total: number } };
    expect(p.spikes.total).toBeGreaterThan(0);
    expect([p.spikes.differing, p.ok]).toEqual([0, true]);
  }, 120_000);

  it('the methods take a clip as one image of its frames stacked as channels (a preset sized to it)', async () => {
    const dir = join(tmp, 'nmnist-train');
    writeNmnist(dir, 1);
    const r = (await stderrOf(() => trainCommand(['--method', 'ann', '--epochs', '1', '--data', `nmnist:${dir}`, '--bins', '3', '--backend', 'wasm', '--json']))).value as RunReport;
    expect(r).toMatchObject({ method: 'ann', dataset: { name: 'nmnist', trainSize: 10, testSize: 10 } });
    expect(r.spikes.perLayer.length).toBeGreaterThan(0);
  }, 120_000);
});

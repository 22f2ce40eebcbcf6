/**
 * A method run on your own images (issue 18): the data reference carries the transform, the
 * corrupt-image policy and (for event recordings) the time bins; a normalising transform moves
 * in front of an ONNX model; the transform is recorded in the RunReport and in the
 * checkpoints; the model's classes, the transform's output shape and bad files give one line
 * naming the folder or file. Real images: the shipped Fashion-MNIST subset as a PNG
 * ImageFolder (tooling/fixtures/folder, made by PIL; val/ = the 1,000 test images, train/ =
 * the first 200 training images).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '@spikelite/engine';
import { IMAGENET_MEAN, IMAGENET_STD, PREPROCESS_PRESETS } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { createResources, openRunData, parseMethodRun, runKey, runMethod, type PipelineEvent } from './index.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const ONNX = `${ROOT}tooling/fixtures/onnx/fmnist-cnn-bn.onnx`;
const onnx = { kind: 'onnx', file: ONNX } as const;
const grayscale = PREPROCESS_PRESETS['grayscale']!;

let png: string;
beforeAll(async () => {
  png = mkdtempSync(join(tmpdir(), 'spikelite-pipelines-png-'));
  // (GNU tar: the data package's own extractor lives outside this package's sources.)
  execFileSync('tar', ['-xzf', `${ROOT}tooling/fixtures/folder/fashion-mnist-mini-png.tar.gz`, '-C', png]);
  await initEngine({ backend: 'wasm' });
});

/** A copy of some of the PNG folder's val/ images: `perClass` images of each class folder, plus `extra` class folders. */
function smallFolder(perClass: number, extra: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'spikelite-pipelines-folder-'));
  const classes = readdirSync(join(png, 'val')).sort();
  for (const c of [...classes, ...extra]) {
    const from = join(png, 'val', classes[classes.indexOf(c) >= 0 ? classes.indexOf(c) : 0]!);
    mkdirSync(join(dir, c));
    for (const f of readdirSync(from).sort().slice(0, perClass)) copyFileSync(join(from, f), join(dir, c, f));
  }
  return dir;
}

describe('the data of a run description', () => {
  it('resolves a preset name to its steps; the transform and policy need image files, the bins event recordings', () => {
    const run = parseMethodRun({ method: 'diet', model: { kind: 'preset', name: 'fmnist-small' }, data: { name: 'folder:/x', preprocess: 'grayscale', onError: 'skip' } });
    expect(run.data).toEqual({ name: 'folder:/x', preprocess: grayscale, onError: 'skip' });
    expect(runKey({ method: 'diet', model: onnx, data: { name: 'list:/l.csv', preprocess: 'grayscale' } })).toBe(runKey({ method: 'diet', model: onnx, data: { name: 'list:/l.csv', preprocess: grayscale } }));
    expect(() => parseMethodRun({ method: 'diet', model: onnx, data: { name: 'folder:/x', preprocess: 'imagenett' } })).toThrow(
      /^method run: data\.preprocess: unknown preset 'imagenett' \(presets: tensor, grayscale, imagenet; or give the steps as JSON\)$/,
    );
    expect(() => parseMethodRun({ method: 'diet', model: onnx, data: { name: 'fashion-mnist', preprocess: 'grayscale' } })).toThrow(
      "method run: data.preprocess: applies to folder:DIR and list:FILE datasets only, not 'fashion-mnist'",
    );
    expect(() => parseMethodRun({ method: 'diet', model: onnx, data: { name: '/d', onError: 'skip' } })).toThrow("method run: data.onError: applies to folder:DIR and list:FILE datasets only, not '/d'");
    expect(() => parseMethodRun({ method: 'diet', model: onnx, data: { name: 'folder:/x', bins: 5 } })).toThrow("method run: data.bins: applies to event datasets (nmnist:DIR) only, not 'folder:/x'");
    expect(parseMethodRun({ method: 'diet', model: onnx, data: { name: 'nmnist:/n', bins: 5 } }).data).toEqual({ name: 'nmnist:/n', bins: 5 });
  });

  it("moves a transform's normalize step in front of an ONNX model (its mean/std): raw pixels for the spike encodings", () => {
    const run = parseMethodRun({ method: 'hybrid', model: onnx, data: { name: 'folder:/x', preprocess: 'imagenet' } });
    expect(run.data.preprocess).toEqual({ name: 'imagenet', steps: [{ kind: 'resize', size: 256, interpolation: 'bilinear' }, { kind: 'centerCrop', size: 224 }, { kind: 'toTensor' }] });
    expect(run.model).toEqual({ ...onnx, mean: IMAGENET_MEAN, std: IMAGENET_STD });
    // The same computation described the other way round is the same run.
    expect(runKey({ method: 'hybrid', model: { ...onnx, mean: [...IMAGENET_MEAN], std: [...IMAGENET_STD] }, data: { name: 'folder:/x', preprocess: run.data.preprocess } })).toBe(
      runKey({ method: 'hybrid', model: onnx, data: { name: 'folder:/x', preprocess: 'imagenet' } }),
    );
    expect(parseMethodRun(run)).toEqual(run); // parsing a parsed run changes nothing
    expect(() => parseMethodRun({ method: 'fs', model: { ...onnx, mean: [0.5], std: [0.5] }, data: { name: 'folder:/x', preprocess: 'imagenet' } })).toThrow(
      /^normalised twice: the transform normalises \(mean 0\.485,0\.456,0\.406, std 0\.229,0\.224,0\.225\) and the model has a mean\/std \(0\.5 \/ 0\.5\); give one/,
    );
    // A model trained here keeps the normalize step in its data, except where the input spikes need raw pixels.
    const preset = { kind: 'preset', name: 'fmnist-small' } as const;
    expect(parseMethodRun({ method: 'diet', model: preset, data: { name: 'folder:/x', preprocess: 'imagenet' } }).data.preprocess?.steps.at(-1)?.kind).toBe('normalize');
    expect(() => parseMethodRun({ method: 'hybrid', model: preset, data: { name: 'folder:/x', preprocess: 'imagenet' } })).toThrow(
      "the hybrid method's input spikes need pixels in [0, 1]: leave the normalize step out of the transform for a model trained here",
    );
  });
});

describe('a method run on an image folder', () => {
  it('threshold on the PNG folder: the transform in the RunReport, decoding progress as events; the model must take its images', async () => {
    const events: PipelineEvent[] = [];
    const report = await runMethod(
      { method: 'threshold', model: onnx, data: { name: `folder:${png}`, preprocess: 'grayscale', limitTrain: 64, limitTest: 64 }, config: { calib: 64 } },
      { onEvent: (e) => events.push(e) },
    );
    expect(report.preprocess).toEqual(grayscale);
    expect(report.dataset).toEqual({ name: png.split('/').pop(), trainSize: 64, testSize: 64 });
    expect(report.accuracy).toBeGreaterThan(0.6);
    const progress = events.filter((e) => e.type === 'data');
    expect(progress.at(-1)).toEqual({ type: 'data', split: 'test', done: 64, total: 64 });
    expect(progress.some((e) => e.split === 'train')).toBe(true);
    // The default transform keeps 3 channels: the CNN takes 1.
    await expect(runMethod({ method: 'threshold', model: onnx, data: { name: `folder:${png}`, limitTrain: 8, limitTest: 8 } })).rejects.toThrow(
      /takes 1×28×28 images but .* has 3×28×28 after the transform 'tensor' \(toTensor\): a grayscale step gives 1 channel \(the preset 'grayscale'\)$/,
    );
  });

  it("records the transform in the checkpoints of its training stages (ANN and SNN)", async () => {
    const out = mkdtempSync(join(tmpdir(), 'spikelite-pipelines-ck-'));
    const data = { name: `folder:${png}`, preprocess: 'grayscale', limitTrain: 32, limitTest: 16 };
    await runMethod({ method: 'diet', model: { kind: 'preset', name: 'fmnist-small' }, data, config: { annEpochs: 1, epochs: 1, calib: 32, timesteps: 2 } }, { out });
    for (const stage of ['ann', 'snn']) {
      const latest = JSON.parse(readFileSync(join(out, stage, 'latest.json'), 'utf8')) as { checkpoint: string };
      const manifest = JSON.parse(readFileSync(join(out, stage, latest.checkpoint, 'manifest.json'), 'utf8')) as { preprocess?: unknown };
      expect(manifest.preprocess, stage).toEqual(grayscale);
    }
  }, 120_000);

  it("checks labels against the model's classes, and says which file is corrupt (stop, the default) or skips it with a warning", async () => {
    const eleven = smallFolder(2, ['z-extra']);
    await expect(runMethod({ method: 'ann', model: onnx, data: { name: `folder:${eleven}`, preprocess: 'grayscale' } })).rejects.toThrow(
      `${eleven}/z-extra: class 'z-extra' has label 10, outside the model's 10 classes (0..9); the data has 11 classes`,
    );
    const broken = smallFolder(3);
    writeFileSync(join(broken, '3-dress', 'zz-broken.png'), 'not a png');
    const run = { method: 'ann', model: onnx, data: { name: `folder:${broken}`, preprocess: 'grayscale' } } as const;
    await expect(openRunData(run)).rejects.toThrow(`${broken}/3-dress/zz-broken.png: cannot decode image`);
    const events: PipelineEvent[] = [];
    const ds = await openRunData({ ...run, data: { ...run.data, onError: 'skip' } }, { onEvent: (e) => events.push(e), resources: createResources() });
    expect(ds.test.count).toBe(30);
    expect(events.filter((e) => e.type === 'log').map((e) => (e as { message: string }).message)).toEqual([
      expect.stringMatching(new RegExp(`^warning: skipped ${broken}/3-dress/zz-broken\\.png: cannot decode image`)),
    ]);
  });
});

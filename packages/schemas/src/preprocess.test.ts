import { describe, expect, it } from 'vitest';
import { Checkpoint } from './checkpoint.js';
import { IMAGENET_MEAN, IMAGENET_STD, PREPROCESS_PRESETS, Preprocess, resolvePreprocess } from './preprocess.js';
import { RunReport } from './report.js';
import { parseWith } from './validate.js';

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('Preprocess', () => {
  it('has the imagenet preset of torchvision model cards: Resize(256), CenterCrop(224), ToTensor, Normalize', () => {
    expect(resolvePreprocess('imagenet')).toStrictEqual({
      name: 'imagenet',
      steps: [
        { kind: 'resize', size: 256, interpolation: 'bilinear' },
        { kind: 'centerCrop', size: 224 },
        { kind: 'toTensor' },
        { kind: 'normalize', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
      ],
    });
    expect(IMAGENET_MEAN).toEqual([0.485, 0.456, 0.406]);
    expect(IMAGENET_STD).toEqual([0.229, 0.224, 0.225]);
    // A copy: changing it does not change the preset.
    resolvePreprocess('imagenet').steps.pop();
    expect(PREPROCESS_PRESETS['imagenet']!.steps).toHaveLength(4);
  });

  it('fills defaults of the random steps as torchvision has them', () => {
    const p = Preprocess.parse({
      steps: [{ kind: 'randomResizedCrop', size: 224 }, { kind: 'randomHorizontalFlip' }, { kind: 'grayscale' }, { kind: 'toTensor' }],
    });
    expect(p.steps).toStrictEqual([
      { kind: 'randomResizedCrop', size: 224, scale: [0.08, 1], ratio: [3 / 4, 4 / 3], interpolation: 'bilinear' },
      { kind: 'randomHorizontalFlip', p: 0.5 },
      { kind: 'grayscale', channels: 1 },
      { kind: 'toTensor' },
    ]);
  });

  it('names the field of every mistake', () => {
    expect(message(() => resolvePreprocess('imagenett', '--transform'))).toBe(
      "--transform: unknown preset 'imagenett' (presets: tensor, grayscale, imagenet; or give the steps as JSON)",
    );
    expect(message(() => resolvePreprocess({ steps: [{ kind: 'resize', size: 8 }] }, 't.json'))).toBe(
      't.json: steps: expected exactly one toTensor step, found 0',
    );
    expect(
      message(() =>
        resolvePreprocess({ steps: [{ kind: 'toTensor' }, { kind: 'resize', size: 8 }, { kind: 'normalize', mean: [0], std: [1] }] }, 't'),
      ),
    ).toBe("t: steps.1.kind: resize must come before toTensor (it works on 8-bit images, as torchvision's PIL transforms do)");
    expect(message(() => resolvePreprocess({ steps: [{ kind: 'normalize', mean: [0], std: [1] }, { kind: 'toTensor' }] }, 't'))).toBe(
      't: steps.0.kind: normalize must come after toTensor',
    );
    expect(
      message(() =>
        resolvePreprocess({ steps: [{ kind: 'grayscale' }, { kind: 'toTensor' }, { kind: 'normalize', mean: [0, 0, 0], std: [1, 1, 1] }] }, 't'),
      ),
    ).toBe('t: steps.2.mean: expected 1 or 1 values (the image has 1 channel here), got 3');
    expect(message(() => resolvePreprocess({ steps: [{ kind: 'toTensor' }, { kind: 'normalize', mean: [0, 0], std: [1] }] }, 't'))).toBe(
      't: steps.1.std: expected 2 values (one per mean), got 1',
    );
    expect(message(() => resolvePreprocess({ steps: [{ kind: 'resize', size: [4, 5], maxSize: 9 }, { kind: 'toTensor' }] }, 't'))).toBe(
      't: steps.0.maxSize: maxSize needs size to be one number (the shorter side)',
    );
    expect(message(() => resolvePreprocess({ steps: [{ kind: 'resize', size: 0 }, { kind: 'toTensor' }] }, 't'))).toMatch(
      /^t: steps\.0\.size: /,
    );
    expect(message(() => resolvePreprocess({ steps: [{ kind: 'blur' }, { kind: 'toTensor' }] }, 't'))).toMatch(/^t: steps\.0\.kind: /);
  });

  it('is an optional field of RunReport and Checkpoint (existing documents stay valid)', () => {
    const pre = resolvePreprocess('imagenet');
    const report = {
      schemaVersion: 1, command: 'eval', method: 'fs', dataset: { name: 'x', trainSize: 0, testSize: 2 }, timesteps: 1,
      backend: 'wasm', accuracy: 0.5, annAccuracy: null, spikes: { perNeuron: 0, rate: 0, perLayer: [] },
      energy: { profile: 'p', annPj: 0, snnPj: 0, ratio: 0, perLayer: [] }, wallMs: 1,
    };
    expect(RunReport.parse(report).preprocess).toBeUndefined();
    expect(RunReport.parse({ ...report, preprocess: pre }).preprocess).toStrictEqual(pre);
    expect(message(() => parseWith(RunReport, { ...report, preprocess: { steps: [] } }, 'r'))).toBe(
      'r: preprocess.steps: expected at least one step (toTensor), got []',
    );
    const ckpt = {
      schemaVersion: 1, kind: 'spikelite-checkpoint', method: 'ann', epoch: 0, step: 0, rng: [1, 2, 3, 4], tensors: [],
      spec: { input: { channels: 1, height: 2, width: 2 }, classes: 2, layers: [{ kind: 'flatten' }, { kind: 'linear', units: 2 }] },
      createdAt: '2026-01-01T00:00:00Z',
    };
    expect(Checkpoint.parse(ckpt).preprocess).toBeUndefined();
    expect(Checkpoint.parse({ ...ckpt, preprocess: pre }).preprocess).toStrictEqual(pre);
  });
});

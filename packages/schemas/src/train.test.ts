import { describe, expect, it } from 'vitest';
import { TrainConfig, TRAIN_METHODS } from './train.js';
import { METHODS } from './report.js';
import { parseWith } from './validate.js';

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

/** The DIET SNN fine-tune of SPEC §4d, scaled down. */
const diet = {
  method: 'diet',
  timesteps: 5,
  epochs: 3,
  batchSize: 32,
  optimizer: { kind: 'adam', lr: 1e-4, amsgrad: true },
  schedule: { kind: 'cosine', tMax: 128 },
  seed: 7,
  limitTrain: 1000,
  limitTest: 500,
  neuron: { kind: 'lif', leak: 1 },
  surrogate: { kind: 'linear', gamma: 0.3 },
  loss: { kind: 'ce', on: 'final' },
  dropout: 0.2,
  checkpointEvery: 0,
  backend: 'wasm',
};

describe('TrainConfig', () => {
  it('round-trips through JSON', () => {
    const a = TrainConfig.parse(diet);
    const json = JSON.parse(JSON.stringify(a)) as unknown;
    expect(json).toStrictEqual(a);
    expect(TrainConfig.parse(json)).toStrictEqual(a);
    expect(a.optimizer).toEqual({
      kind: 'adam',
      lr: 1e-4,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      amsgrad: true,
      weightDecay: 0,
    });
    expect(a.schedule).toEqual({ kind: 'cosine', tMax: 128, etaMin: 0 });
  });

  it('fills the documented defaults', () => {
    const c = TrainConfig.parse({ method: 'ann', timesteps: 1, epochs: 10 });
    expect(c).toStrictEqual({
      method: 'ann',
      timesteps: 1,
      epochs: 10,
      batchSize: 64,
      optimizer: { kind: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, amsgrad: false, weightDecay: 0 },
      schedule: { kind: 'constant' },
      seed: 0,
      encoding: { kind: 'direct' },
      loss: { kind: 'ce', on: 'mean', labelSmoothing: 0 },
      checkpointEvery: 1,
    });
    const sgd = TrainConfig.parse({
      method: 'ann',
      timesteps: 1,
      epochs: 300,
      optimizer: { kind: 'sgd' },
      schedule: { kind: 'step', milestones: [180, 240, 270] },
    });
    expect(sgd.optimizer).toEqual({ kind: 'sgd', lr: 0.01, momentum: 0.9, nesterov: false, weightDecay: 5e-4 });
    expect(sgd.schedule).toEqual({ kind: 'step', milestones: [180, 240, 270], gamma: 0.1 });
  });

  it('names bad fields', () => {
    const lines = message(() =>
      parseWith(
        TrainConfig,
        {
          method: 'stdp',
          timesteps: 0,
          epochs: 1.5,
          optimizer: { kind: 'adam', beta1: 1 },
          schedule: { kind: 'step', milestones: [0.6, 0.8] },
          encoding: { kind: 'rate', gain: -1 },
          backend: 'webgl',
        },
        'train.json',
      ),
    ).split('\n');
    expect(lines).toEqual([
      'train.json: method: expected one of "ann", "diet", "hybrid", "general", got "stdp"',
      'train.json: timesteps: expected a positive integer, got 0',
      'train.json: epochs: expected a non-negative integer, got 1.5',
      'train.json: optimizer.beta1: expected a number < 1, got 1',
      'train.json: schedule.milestones.0: expected a positive integer, got 0.6',
      'train.json: schedule.milestones.1: expected a positive integer, got 0.8',
      'train.json: encoding.gain: expected a positive number, got -1',
      'train.json: backend: expected one of "tensorflow", "wasm", "cpu", got "webgl"',
    ]);
  });

  it('requires increasing milestones and rejects unknown fields', () => {
    expect(
      message(() =>
        parseWith(TrainConfig, { method: 'diet', timesteps: 5, epochs: 9, schedule: { kind: 'step', milestones: [6, 3] } }, 't'),
      ),
    ).toBe('t: schedule.milestones: milestones must be strictly increasing epoch numbers');
    expect(message(() => parseWith(TrainConfig, { method: 'diet', timesteps: 5, epochs: 9, lr: 0.1 }, 't'))).toBe(
      't: lr: unknown field',
    );
  });

  it('every train method is a RunReport method', () => {
    for (const m of TRAIN_METHODS) expect(METHODS).toContain(m);
  });
});

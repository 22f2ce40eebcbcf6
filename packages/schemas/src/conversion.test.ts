import { describe, expect, it } from 'vitest';
import { CONVERSION_METHODS, ConversionRecipe } from './conversion.js';
import { METHODS } from './report.js';
import { parseWith } from './validate.js';

function roundTrip(input: unknown): ConversionRecipe {
  const a = ConversionRecipe.parse(input);
  const json = JSON.parse(JSON.stringify(a)) as unknown;
  expect(json).toStrictEqual(a);
  expect(ConversionRecipe.parse(json)).toStrictEqual(a);
  return a;
}

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

const calibration = { images: 512, statistic: 'percentile', percentile: 99.7, granularity: 'layer' };

describe('ConversionRecipe', () => {
  it('round-trips every kind', () => {
    roundTrip({ kind: 'threshold', timesteps: 32, calibration: { statistic: 'max' }, scale: 0.9, neuron: 'lif', reset: 'hard' });
    roundTrip({ kind: 'fs', K: 2, coefficients: { relu: { h: [1, 0.5], d: [1, 0.5], T: [1, 0.5] } } });
    roundTrip({ kind: 'fs', fit: 'samples' });
    roundTrip({ kind: 'diet', finetuneEpochs: 3, optimizer: { kind: 'sgd', lr: 0.001 } });
    roundTrip({ kind: 'hybrid', calibration: { images: 128, granularity: 'channel' } });
  });

  it('fills defaults (SPEC §4d)', () => {
    expect(ConversionRecipe.parse({ kind: 'threshold' })).toStrictEqual({
      kind: 'threshold',
      timesteps: 5,
      // Per-channel thresholds and a θ/2 start: this recipe's own defaults (not DIET's).
      calibration: { ...calibration, granularity: 'channel' },
      scale: 1,
      neuron: 'if',
      reset: 'soft',
      initialPotential: 0.5,
    });
    const adam = { kind: 'adam', lr: 1e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, amsgrad: true, weightDecay: 0 };
    expect(ConversionRecipe.parse({ kind: 'diet' })).toStrictEqual({
      kind: 'diet',
      timesteps: 5,
      calibration,
      scale: 0.2,
      initialPotential: 0,
      finetuneEpochs: 1,
      optimizer: adam,
    });
    expect(ConversionRecipe.parse({ kind: 'hybrid' })).toStrictEqual({
      kind: 'hybrid',
      timesteps: 5,
      calibration,
      scale: 0.5,
      finetuneEpochs: 1,
      optimizer: { ...adam, lr: 5e-4 },
      surrogate: 'linear',
      outputThresholdFraction: 0.5,
    });
    expect(ConversionRecipe.parse({ kind: 'fs' })).toStrictEqual({ kind: 'fs', reluAlpha: 'max', fit: 'samples' });
  });

  it('validates fields', () => {
    expect(message(() => parseWith(ConversionRecipe, { kind: 'threshold', calibration: { percentile: 0 } }, 'r'))).toBe(
      'r: calibration.percentile: expected a number > 0, got 0',
    );
    expect(
      message(() =>
        parseWith(ConversionRecipe, { kind: 'fs', K: 3, coefficients: { silu: { h: [1, 2], d: [1, 2], T: [1, 2] } } }, 'r'),
      ),
    ).toBe('r: coefficients.silu: silu coefficients have 2 steps but K is 3');
    expect(
      message(() => parseWith(ConversionRecipe, { kind: 'fs', coefficients: { tanh: { h: [1], d: [1], T: [1] } } }, 'r')),
    ).toBe('r: coefficients.tanh: unknown field');
    expect(message(() => parseWith(ConversionRecipe, { kind: 'fs', fit: 'grid' }, 'r'))).toMatch(/^r: fit: .*missing.*layer.*samples/);
    expect(message(() => parseWith(ConversionRecipe, { kind: 'snn' }, 'r'))).toBe(
      'r: kind: unknown kind "snn"; expected one of: threshold, fs, diet, hybrid',
    );
  });

  it('every conversion method is a RunReport method', () => {
    for (const m of CONVERSION_METHODS) expect(METHODS).toContain(m);
  });
});

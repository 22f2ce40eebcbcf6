import { describe, expect, it } from 'vitest';
import { EncodingSpec } from './encoding.js';
import { parseWith } from './validate.js';

function roundTrip<T>(schema: { parse(v: unknown): T }, input: unknown): T {
  const a = schema.parse(input);
  const json = JSON.parse(JSON.stringify(a)) as unknown;
  expect(json).toStrictEqual(a);
  expect(schema.parse(json)).toStrictEqual(a);
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

describe('EncodingSpec', () => {
  it('round-trips every kind', () => {
    roundTrip(EncodingSpec, { kind: 'direct' });
    roundTrip(EncodingSpec, { kind: 'rate', distribution: 'poisson', signed: true, gain: 0.5 });
    roundTrip(EncodingSpec, { kind: 'temporal', tMin: 0, threshold: 0.1 });
    roundTrip(EncodingSpec, { kind: 'hybrid', analogSteps: 2, temporal: { tMin: 2 } });
    roundTrip(EncodingSpec, { kind: 'frames', channels: 1 });
  });

  it('fills defaults', () => {
    expect(EncodingSpec.parse({ kind: 'rate' })).toStrictEqual({
      kind: 'rate',
      distribution: 'bernoulli',
      signed: false,
      gain: 1,
    });
    expect(EncodingSpec.parse({ kind: 'temporal' })).toStrictEqual({
      kind: 'temporal',
      mapping: 'linear',
      tMin: 1,
      threshold: 0,
    });
    expect(EncodingSpec.parse({ kind: 'hybrid' })).toStrictEqual({
      kind: 'hybrid',
      analogSteps: 1,
      temporal: { mapping: 'linear', tMin: 1, threshold: 0 },
    });
  });

  it('requires temporal spikes to start after the analog steps', () => {
    expect(message(() => parseWith(EncodingSpec, { kind: 'hybrid', analogSteps: 2 }, 'enc'))).toBe(
      'enc: temporal.tMin: temporal.tMin must be ≥ analogSteps: the first analogSteps steps carry the analog image',
    );
  });

  it('names nested fields and unknown kinds', () => {
    expect(message(() => parseWith(EncodingSpec, { kind: 'hybrid', temporal: { threshold: 2 } }, 'enc'))).toBe(
      'enc: temporal.threshold: expected a number in [0, 1], got 2',
    );
    expect(message(() => parseWith(EncodingSpec, { kind: 'poisson' }, 'enc'))).toBe(
      'enc: kind: unknown kind "poisson"; expected one of: direct, rate, temporal, hybrid, frames',
    );
  });
});

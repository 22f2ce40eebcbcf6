import { describe, expect, it } from 'vitest';
import { LossSpec } from './loss.js';
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

describe('LossSpec', () => {
  it('round-trips every kind', () => {
    roundTrip(LossSpec, { kind: 'ce', on: 'final', labelSmoothing: 0.1 });
    roundTrip(LossSpec, { kind: 'spikeTimeCe', timeWeight: 0.5 });
    roundTrip(LossSpec, { kind: 'spikeCount', targetTrue: 4, targetFalse: 0.5 });
    roundTrip(LossSpec, { kind: 'fsFit', regularizer: [0.1, 0.1] });
  });

  it('fills defaults', () => {
    expect(LossSpec.parse({ kind: 'ce' })).toStrictEqual({ kind: 'ce', on: 'mean', labelSmoothing: 0 });
    expect(LossSpec.parse({ kind: 'spikeTimeCe' })).toStrictEqual({
      kind: 'spikeTimeCe',
      membraneWeight: 1,
      timeWeight: 1,
      silentTime: 'Tplus1',
    });
    expect(LossSpec.parse({ kind: 'fsFit' })).toStrictEqual({ kind: 'fsFit', regularizer: [0.08, 0.12] });
  });

  it('validates fields', () => {
    expect(message(() => parseWith(LossSpec, { kind: 'spikeCount', targetTrue: 3 }, 'loss'))).toBe(
      'loss: targetFalse: missing (expected a non-negative number)',
    );
    expect(message(() => parseWith(LossSpec, { kind: 'fsFit', regularizer: [0.2, 0.1] }, 'loss'))).toBe(
      'loss: regularizer: regularizer must be [min, max] with min ≤ max',
    );
    expect(message(() => parseWith(LossSpec, { kind: 'spikeTimeCe', membraneWeight: 0, timeWeight: 0 }, 'loss'))).toBe(
      'loss: membraneWeight and timeWeight cannot both be 0',
    );
  });
});

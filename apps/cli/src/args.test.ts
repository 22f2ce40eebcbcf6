/** Flag parsing: node:util parseArgs errors rewritten as one line naming the flag; negative values. */
import { describe, expect, it } from 'vitest';
import { choiceFlag, intFlag, numberFlag, parseFlags, required } from './args.js';
import { CliError } from './errors.js';

const SPEC = { epochs: { type: 'string' }, lr: { type: 'string' }, json: { type: 'boolean' } } as const;

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    return (e as Error).message;
  }
  throw new Error('expected a CliError');
}

describe('parseFlags', () => {
  it('reads values, including negative numbers after a string flag', () => {
    expect(parseFlags(['--epochs', '3', '--json'], SPEC).values).toEqual({ epochs: '3', json: true });
    expect(parseFlags(['--epochs', '-1', '--lr', '-.5'], SPEC).values).toEqual({ epochs: '-1', lr: '-.5' });
    // After `--` nothing is joined.
    expect(parseFlags(['--', '--epochs', '-1'], SPEC, true).positionals).toEqual(['--epochs', '-1']);
  });

  it('errors are one line that names the flag', () => {
    const cases: Array<[string[], string]> = [
      [['--epoch', '3'], "unknown flag '--epoch' (see --help)"],
      [['--epochs'], '--epochs: missing value'],
      [['--epochs', '--json'], "--epochs: missing value (a value starting with '-' is written --epochs=-…)"],
      [['--json=yes'], '--json takes no value'],
      [['train.json'], "unexpected argument 'train.json' (this command takes flags only; see --help)"],
    ];
    for (const [argv, msg] of cases) expect(message(() => parseFlags(argv, SPEC))).toBe(msg);
  });

  it('value parsers name the flag and the bad value', () => {
    expect(message(() => intFlag('epochs', '-1', { min: 0 }))).toBe("--epochs: expected an integer ≥ 0, got '-1'");
    expect(message(() => intFlag('epochs', '1.5'))).toBe("--epochs: expected an integer ≥ 0, got '1.5'");
    expect(message(() => numberFlag('lr', '0', { positive: true }))).toBe("--lr: expected a positive number, got '0'");
    expect(message(() => choiceFlag('method', 'magic', ['ann', 'diet']))).toBe("--method: expected one of ann, diet, got 'magic'");
    expect(message(() => required('checkpoint', undefined))).toBe('--checkpoint is required');
    expect(intFlag('epochs', undefined, { fallback: 2 })).toBe(2);
    expect(numberFlag('lr', '1e-3')).toBe(0.001);
  });
});

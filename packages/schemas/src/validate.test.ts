import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SpikeliteConfigError } from './errors.js';
import { ModelSpec } from './model.js';
import { loadJsonFile, parseJsonText, parseWith } from './validate.js';
import { PositiveInt } from './common.js';

const dir = mkdtempSync(join(tmpdir(), 'spikelite-schemas-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spec = {
  input: { channels: 1, height: 4, width: 4 },
  classes: 3,
  layers: [{ kind: 'flatten' }, { kind: 'linear', units: 3 }],
};

async function rejection(p: Promise<unknown>): Promise<SpikeliteConfigError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SpikeliteConfigError);
    return e as SpikeliteConfigError;
  }
  throw new Error('expected a rejection');
}

describe('parseWith', () => {
  it('returns the parsed value with defaults', () => {
    const s = parseWith(ModelSpec, spec, 'spec.json');
    expect(s.layers[1]).toEqual({ kind: 'linear', units: 3, useBias: false });
  });

  it('throws a SpikeliteConfigError with one line per issue and structured issues', () => {
    let err: unknown;
    try {
      parseWith(ModelSpec, { ...spec, classes: 0, input: { channels: 1, height: 'x', width: 4 } }, 'spec.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpikeliteConfigError);
    const e = err as SpikeliteConfigError;
    expect(e.name).toBe('SpikeliteConfigError');
    expect(e.source).toBe('spec.json');
    expect(e.issues).toEqual([
      { path: 'input.height', message: 'expected a positive integer, got "x"' },
      { path: 'classes', message: 'expected a positive integer, got 0' },
    ]);
    expect(e.message).toBe(
      'spec.json: input.height: expected a positive integer, got "x"\nspec.json: classes: expected a positive integer, got 0',
    );
  });

  it('reports a wrong root type without a path, and one line for overlapping checks', () => {
    expect(() => parseWith(ModelSpec, 5, 'spec.json')).toThrow(/^spec\.json: expected object, got 5$/);
    expect(() => parseWith(z.strictObject({ n: PositiveInt }), { n: -2.5 }, 'cli')).toThrow(
      /^cli: n: expected a positive integer, got -2.5$/,
    );
  });

  it('leaves out long values', () => {
    const long = 'x'.repeat(100);
    expect(() => parseWith(z.strictObject({ n: z.number() }), { n: long }, 'cli')).toThrow(/^cli: n: expected number$/);
  });
});

describe('parseJsonText and loadJsonFile', () => {
  it('names the source on a JSON syntax error', () => {
    expect(() => parseJsonText('{ "input": ', ModelSpec, 'spec.json')).toThrow(/^spec\.json: invalid JSON: /);
  });

  it('loads and validates a file', async () => {
    const path = join(dir, 'good.json');
    writeFileSync(path, JSON.stringify(spec));
    const s = await loadJsonFile(path, ModelSpec);
    expect(s.classes).toBe(3);
  });

  it('names the file on syntax errors, schema errors and missing files', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"classes": 3,,}');
    const e1 = await rejection(loadJsonFile(bad, ModelSpec));
    expect(e1.message).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: invalid JSON: `));

    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ ...spec, layers: [{ kind: 'flatten' }, { kind: 'linear', units: -3 }] }));
    const e2 = await rejection(loadJsonFile(wrong, ModelSpec));
    expect(e2.message).toBe(`${wrong}: layers.1.units: expected a positive integer, got -3`);

    const missing = join(dir, 'nope.json');
    const e3 = await rejection(loadJsonFile(missing, ModelSpec));
    expect(e3.message).toBe(`${missing}: file not found`);
  });
});

/**
 * The registry and the run description: every method's config is parsed from nothing to its
 * defaults, the conversion defaults are the recipe schemas' own, errors name the field, and
 * equal descriptions have equal keys.
 */
import { ConversionRecipe, METHOD_STEPS, METHODS as REPORT_METHODS } from '@spikelite/schemas';
import { describe, expect, it } from 'vitest';
import { configFields, getMethod, METHOD_IDS, METHODS, parseMethodRun, runKey } from './index.js';

const model = { kind: 'onnx', file: 'model.onnx' } as const;
const data = { name: 'fashion-mnist' };

describe('the method registry', () => {
  it('has every method a RunReport can name, each with a schema, a steps label and a help line per option', () => {
    expect([...METHOD_IDS].sort()).toEqual([...REPORT_METHODS].sort());
    for (const id of METHOD_IDS) {
      const m = getMethod(id);
      expect(m.id).toBe(id);
      expect([null, 'T', 'K']).toContain(m.steps.label);
      const fields = configFields(m.schema);
      expect(fields.length).toBeGreaterThan(0);
      for (const f of fields) expect(f.help.length, `${id}.${f.name}`).toBeGreaterThan(8);
      // Every default passes the field's own schema: parsing {} gives them all.
      const parsed = m.schema.parse({}) as Record<string, unknown>;
      for (const f of fields) expect(parsed[f.name], `${id}.${f.name}`).toBe(f.default);
    }
    expect(() => getMethod('magic')).toThrow(/unknown method 'magic' \(methods: ann, threshold, fs, diet, hybrid, general\)/);
  });

  it('conversion defaults are the recipe schemas\' defaults (written once, in @spikelite/schemas)', () => {
    for (const kind of ['threshold', 'diet', 'hybrid'] as const) {
      const recipe = ConversionRecipe.parse({ kind }) as Extract<ConversionRecipe, { kind: 'threshold' | 'diet' | 'hybrid' }>;
      const config = METHODS[kind].schema.parse({}) as Record<string, unknown>;
      expect(config['timesteps']).toBe(recipe.timesteps);
      expect(config['scale']).toBe(recipe.scale);
      expect(config['calib']).toBe(recipe.calibration.images);
      expect(config['percentile']).toBe(recipe.calibration.percentile);
      if (recipe.kind !== 'threshold') {
        expect(config['epochs']).toBe(recipe.finetuneEpochs);
        expect(config['lr']).toBe(recipe.optimizer.lr);
      }
    }
  });

  it('how the steps are counted: K for fs; the methods that train nothing are the ones swept', () => {
    expect(METHOD_IDS.map((id) => getMethod(id).steps.label)).toEqual([null, 'T', 'K', 'T', 'T', 'T']);
    for (const id of METHOD_IDS) expect(getMethod(id).steps.label).toBe(METHOD_STEPS[id]);
    expect(METHOD_IDS.filter((id) => getMethod(id).steps.sweep !== null)).toEqual(['threshold', 'fs']);
    expect(getMethod('diet').needs(getMethod('diet').schema.parse({}), 'onnx')).toEqual({ training: true, calibration: true });
    expect(getMethod('threshold').needs(getMethod('threshold').schema.parse({}), 'onnx')).toEqual({ training: false, calibration: true });
  });
});

describe('a run description', () => {
  it('is parsed with every default filled in; errors name the field', () => {
    const run = parseMethodRun({ method: 'hybrid', model, data });
    expect(run.seed).toBe(0);
    expect(run.config).toMatchObject({ timesteps: 5, surrogate: 'linear', init: 'ann', calibration: 'ann' });
    expect(() => parseMethodRun({ method: 'hybrid', model, data, config: { scale: -1 } })).toThrow(/hybrid config: scale: expected a number > 0/);
    expect(() => parseMethodRun({ method: 'hybrid', model, data, config: { colour: 'red' } })).toThrow(/hybrid config: .*colour/);
    expect(() => parseMethodRun({ method: 'magic', model, data })).toThrow(/method run: method: expected one of/);
    expect(() => parseMethodRun({ method: 'ann', model: { kind: 'onnx' }, data })).toThrow(/method run: model\.file/);
    expect(() => parseMethodRun({ method: 'ann', model, data: { name: 'x', limitTest: 0 } })).toThrow(/method run: data\.limitTest/);
  });

  it('has a key that ignores key order and spelled-out defaults, and changes with any value', () => {
    const a = runKey({ method: 'diet', model, data, config: {} });
    expect(runKey({ data, config: { scale: METHODS.diet.schema.parse({}).scale }, model, method: 'diet', seed: 0 })).toBe(a);
    expect(runKey({ method: 'diet', model, data, config: { scale: 0.3 } })).not.toBe(a);
    expect(runKey({ method: 'diet', model, data, seed: 1 })).not.toBe(a);
    expect(runKey({ method: 'diet', model, data: { ...data, limitTest: 100 } })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });
});

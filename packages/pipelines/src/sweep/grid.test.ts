/**
 * The sweep grid: expansion to cells (count, order, labels, keys), options checked against the
 * methods' schemas with errors that name the field, duplicates, and pinning to model bytes.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative as relativePath, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expandSweep, parseSweepSpec, pinSweep, planSweep, runKey, type SweepSpecInput } from '../index.js';

const onnx = fileURLToPath(new URL('../../../../tooling/fixtures/onnx/fmnist-cnn-bn.onnx', import.meta.url));
const data = { name: 'fashion-mnist', limitTest: 100 };

const grid = (over: Partial<SweepSpecInput> = {}): SweepSpecInput => ({ models: ['model.onnx'], methods: ['threshold', 'fs'], data, ...over });

describe('a sweep grid', () => {
  it('expands models × methods × T/K × options × seeds in a stable order, each cell named by its runKey', () => {
    const cells = expandSweep(grid({
      models: ['a.onnx', 'fmnist-small'],
      methods: ['threshold', 'fs'],
      timesteps: [4, 8],
      seeds: [0, 1],
      options: { fs: { fit: ['samples', 'missing'] }, threshold: { calib: 64 } },
    }));
    // 2 models × (threshold: 2 T × 2 seeds + fs: 2 K × 2 fits × 2 seeds) = 2 × 12
    expect(cells).toHaveLength(24);
    expect(cells.map((c) => c.index)).toEqual([...Array(24).keys()]);
    expect(cells.slice(0, 12).map((c) => c.label)).toEqual([
      'a threshold T=4 seed=0', 'a threshold T=4 seed=1', 'a threshold T=8 seed=0', 'a threshold T=8 seed=1',
      'a fs K=4 fit=samples seed=0', 'a fs K=4 fit=samples seed=1', 'a fs K=4 fit=missing seed=0', 'a fs K=4 fit=missing seed=1',
      'a fs K=8 fit=samples seed=0', 'a fs K=8 fit=samples seed=1', 'a fs K=8 fit=missing seed=0', 'a fs K=8 fit=missing seed=1',
    ]);
    expect(cells[12]!.run.model).toEqual({ kind: 'preset', name: 'fmnist-small' });
    const c = cells[6]!;
    expect(c.run).toMatchObject({ method: 'fs', model: { kind: 'onnx', file: 'a.onnx' }, data, seed: 0, config: { timesteps: 4, fit: 'missing' } });
    expect(c.axes).toEqual({ model: 'a', method: 'fs', steps: 4, options: { timesteps: 4, fit: 'missing' }, seed: 0 });
    expect(cells[0]!.run.config).toMatchObject({ timesteps: 4, calib: 64, scale: 1 }); // the rest: the method's defaults
    for (const cell of cells) expect(cell.key).toBe(runKey(cell.run));
    expect(new Set(cells.map((x) => x.key)).size).toBe(24);
  });

  it('orders options by the method schema, not by how the grid lists them', () => {
    const a = expandSweep(grid({ methods: ['threshold'], options: { threshold: { scale: [0.5, 1], timesteps: [2, 3] } } }));
    const b = expandSweep(grid({ methods: ['threshold'], options: { threshold: { timesteps: [2, 3], scale: [0.5, 1] } } }));
    expect(a.map((c) => c.key)).toEqual(b.map((c) => c.key));
    expect(a.map((c) => c.label)).toEqual(['threshold T=2 scale=0.5 seed=0', 'threshold T=2 scale=1 seed=0', 'threshold T=3 scale=0.5 seed=0', 'threshold T=3 scale=1 seed=0']);
  });

  it("T/K applies to the methods that count steps; a method's own timesteps win; the ANN runs once", () => {
    const cells = expandSweep(grid({ methods: ['ann', 'threshold', 'fs'], timesteps: [2, 4], options: { fs: { timesteps: [10] } } }));
    expect(cells.map((c) => c.label)).toEqual(['ann seed=0', 'threshold T=2 seed=0', 'threshold T=4 seed=0', 'fs K=10 seed=0']);
    expect(cells[0]!.axes.steps).toBeNull();
    // fs without a K: the method decides (10 for ReLU), the label says nothing.
    expect(expandSweep(grid({ methods: ['fs'] })).map((c) => c.label)).toEqual(['fs seed=0']);
  });

  it('keeps the same run once (one model given two ways)', () => {
    const cells = expandSweep(grid({ models: ['a.onnx', { kind: 'onnx', file: 'a.onnx' }], methods: ['threshold'] }));
    expect(cells).toHaveLength(1);
  });

  it('rejects bad grids with errors that name the field', () => {
    const bad = (over: Partial<SweepSpecInput>): string => {
      try {
        parseSweepSpec(grid(over));
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(bad({ options: { fs: { fit: ['samples', 'bogus'] } } })).toMatch(/^sweep grid: options\.fs\.fit\.1: .*samples.*got "bogus"/);
    expect(bad({ options: { fs: { scale: 2 } } })).toMatch(/options\.fs\.scale: not an option of the fs method \(its options: timesteps, fit, /);
    expect(bad({ options: { diet: { epochs: 1 } } })).toMatch(/options\.diet: diet is not among the methods \(threshold, fs\)/);
    expect(bad({ options: { threshold: { calib: [0] } } })).toMatch(/options\.threshold\.calib\.0: .*got 0/);
    expect(bad({ methods: ['ann'], timesteps: [2] })).toMatch(/timesteps: none of the methods \(ann\) counts steps/);
    expect(bad({ seeds: [0, 1, 0] })).toMatch(/seeds\.2: 0 is listed twice/);
    expect(bad({ models: ['resnet'] })).toMatch(/models\.0: 'resnet' is not an \.onnx file, a \.json ModelSpec or a preset \(presets: /);
    expect(bad({ methods: ['magic' as never] })).toMatch(/methods\.0: /);
    expect(bad({ models: [] })).toMatch(/models: /);
  });
});

describe('pinning a grid to its files', () => {
  it('gives every ONNX model its sha256 and an absolute path, so a changed model is a new cell', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikelite-pin-'));
    const copy = join(dir, 'cnn.onnx');
    copyFileSync(onnx, copy);
    const spec = await pinSweep(grid({ models: [copy], methods: ['threshold'], data: { name: dir } }));
    const expected = createHash('sha256').update(readFileSync(onnx)).digest('hex');
    expect(spec.models).toEqual([{ kind: 'onnx', file: resolve(copy), sha256: expected }]);
    expect(spec.data.name).toBe(resolve(dir)); // a directory: absolute, for workers elsewhere
    expect((await pinSweep(grid({ models: [onnx] }))).data.name).toBe('fashion-mnist'); // a registered name stays
    // A folder: spec given relative to the submitter's directory: its path, absolute.
    const relative = relativePath(process.cwd(), dir);
    expect((await pinSweep(grid({ models: [onnx], data: { name: `folder:${relative}` } }))).data.name).toBe(`folder:${resolve(dir)}`);
    const before = (await planSweep(grid({ models: [copy], methods: ['threshold'] })))[0]!;
    writeFileSync(copy, Buffer.concat([readFileSync(onnx), Buffer.from([0])]));
    const after = (await planSweep(grid({ models: [copy], methods: ['threshold'] })))[0]!;
    expect(after.key).not.toBe(before.key);
    await expect(pinSweep(grid({ models: [{ kind: 'onnx', file: copy, sha256: expected }] }))).rejects.toThrow(/models\.0: .*cnn\.onnx: its sha256 is [0-9a-f]{12}…, not the grid's/);
    await expect(pinSweep(grid({ models: [join(dir, 'none.onnx')] }))).rejects.toThrow(/sweep grid: models\.0: .*none\.onnx: file not found/);
  });

  it('reads ModelSpec and energy-profile files into the grid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikelite-pin-'));
    const spec = { input: { channels: 1, height: 28, width: 28 }, classes: 10, layers: [{ kind: 'flatten' }, { kind: 'linear', units: 10 }] };
    writeFileSync(join(dir, 'mlp.json'), JSON.stringify(spec));
    const profile = { name: 'my-chip', macPj: 1, acPj: 0.1 };
    writeFileSync(join(dir, 'chip.json'), JSON.stringify(profile));
    const pinned = await pinSweep(grid({ models: [join(dir, 'mlp.json')], methods: ['threshold'], energyProfile: join(dir, 'chip.json') }));
    expect(pinned.models[0]).toMatchObject({ kind: 'spec', spec: { classes: 10 } });
    expect(pinned.energyProfile).toMatchObject(profile);
    expect((await pinSweep(grid({ models: ['fmnist-small'], energyProfile: 'cmos45nm-int32' }))).energyProfile).toBe('cmos45nm-int32');
  });
});

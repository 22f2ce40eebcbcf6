/**
 * A sweep in this process: every cell's report is stored under its runKey and equals the run on
 * its own; a failing cell is reported with its one-line error and the others run; a second run
 * skips the stored cells; a run pinned to other bytes refuses its model.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initEngine } from '@spikelite/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { createResources, planSweep, runMethod, runSweep, SweepStore, type SweepEvent } from '../index.js';

const fixtures = fileURLToPath(new URL('../../../../tooling/fixtures/onnx/', import.meta.url));
const shipped = fileURLToPath(new URL('../../../../apps/cli/data/fashion-mnist-mini', import.meta.url));
const data = { name: shipped, limitTrain: 500, limitTest: 60 };

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

describe('runSweep', () => {
  it('stores a report per cell, reports a failed cell and goes on, then skips what is stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikelite-sweep-'));
    const broken = join(dir, 'broken.onnx');
    writeFileSync(broken, 'not an ONNX model');
    const cells = await planSweep({
      // The broken model fails to import: both of its cells fail, the CNN's run.
      models: [broken, join(fixtures, 'fmnist-cnn-bn.onnx')],
      methods: ['threshold'],
      timesteps: [2, 4],
      options: { threshold: { calib: 32 } },
      data,
    });
    expect(cells.map((c) => c.label)).toEqual([
      'broken threshold T=2 seed=0', 'broken threshold T=4 seed=0',
      'fmnist-cnn-bn threshold T=2 seed=0', 'fmnist-cnn-bn threshold T=4 seed=0',
    ]);
    const store = new SweepStore(join(dir, 'runs'));
    const events: SweepEvent[] = [];
    const first = await runSweep(cells, { store, onEvent: (e) => events.push(e) });
    expect(first.map((o) => o.status)).toEqual(['failed', 'failed', 'done', 'done']);
    const error = first[0]!.status === 'failed' ? first[0]!.error : '';
    expect(error).toMatch(/broken\.onnx/);
    expect(error).not.toContain('\n');
    expect(readdirSync(store.dir).sort()).toEqual([`${cells[2]!.key}.json`, `${cells[3]!.key}.json`].sort());
    // Per-cell events, each with the grid as a whole.
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'cell-done', grid: { total: 4, done: 2, failed: 2, running: 0 } });
    expect(events.filter((e) => e.type === 'cell-failed')).toHaveLength(2);
    expect(events.some((e) => e.type === 'cell-progress' && e.cell.index === 2 && e.progress.total === 60)).toBe(true);

    // The stored report is the run's report, and the run on its own gives it again (up to wallMs).
    const stored = JSON.parse(readFileSync(store.path(cells[3]!.key), 'utf8')) as Record<string, unknown>;
    const alone = await runMethod(cells[3]!.run, { resources: createResources() });
    expect({ ...alone, wallMs: 0 }).toEqual({ ...stored, wallMs: 0 });
    expect(alone.timesteps).toBe(4);
    expect(alone.accuracy).toBeGreaterThan(0.6); // T=4 on the shipped CNN (T=2 is near chance)

    // Again: the stored cells are skipped (not run), the failed ones tried again.
    const again = await runSweep(cells, { store });
    expect(again.map((o) => o.status)).toEqual(['failed', 'failed', 'skipped', 'skipped']);
    expect(again[3]!.status === 'skipped' && again[3]!.report.wallMs).toBe(stored.wallMs);
  }, 300_000);

  it('a run pinned to a sha256 refuses a file with other bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikelite-sweep-'));
    const model = join(dir, 'cnn.onnx');
    copyFileSync(join(fixtures, 'fmnist-cnn-bn.onnx'), model);
    const [cell] = await planSweep({ models: [model], methods: ['threshold'], timesteps: [2], data });
    writeFileSync(model, readFileSync(join(fixtures, 'fmnist-mlp.onnx')));
    await expect(runMethod(cell!.run)).rejects.toThrow(/cnn\.onnx: its sha256 is [0-9a-f]{12}…, not the run's [0-9a-f]{12}… \(the file changed after the run was described\)/);
  });
});

describe('SweepStore', () => {
  it('reads what it wrote, and nothing for a missing or broken file; leaves no temporary files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikelite-store-'));
    const store = new SweepStore(dir);
    expect(store.read('abc')).toBeNull();
    writeFileSync(store.path('broken'), '{"schemaVersion": 1, "accur');
    expect(store.read('broken')).toBeNull();
    const [cell] = await planSweep({ models: [join(fixtures, 'fmnist-cnn-bn.onnx')], methods: ['ann'], data });
    const report = await runMethod(cell!.run);
    expect(store.write('k1', report)).toBe(join(dir, 'k1.json'));
    expect(store.read('k1')).toEqual(report);
    expect(readdirSync(store.dir).sort()).toEqual(['broken.json', 'k1.json']);
    expect(() => store.write('k2', { ...report, accuracy: 2 })).toThrow(/report of cell k2: accuracy/);
  }, 120_000);
});

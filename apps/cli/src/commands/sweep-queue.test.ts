/**
 * The done-when, on a grid small enough for CI: 12 cells (threshold and fs, three T/K
 * values, two seeds) on the shipped CNN, run in this process and through a BullMQ queue on a
 * redis-server started here (free port, no persistence) by two `spikelite worker` processes of
 * the built CLI, one of them killed (SIGKILL) in the middle of a cell. Every cell's report
 * arrives once and equals the in-process one field by field (but wallMs); the killed worker's
 * cell ran again on the other; resubmitting the grid adds no jobs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../../tooling/redis-server.mjs';
import type { SweepRow } from '../sweep-output.js';
import { BUILD_TIMEOUT_MS, buildCliOnce, cliDir, onnxFixtures, scratchDir, spawnCli } from '../test-support.js';
import { sweepCommand } from './sweep.js';

const main = join(cliDir, 'dist', 'main.js');
const grid = [
  '--onnx', join(onnxFixtures, 'fmnist-cnn-bn.onnx'), '--methods', 'threshold,fs', '--timesteps', '2,4,8', '--seeds', '0,1',
  '--set', 'threshold.calib=64', '--set', 'fs.calib=64', '--data', join(cliDir, 'data', 'fashion-mnist-mini'), '--limit-train', '1000', '--limit-test', '200',
];

interface Proc {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
  /** Resolves with the first match of `re` in stderr (as it arrives). */
  waitFor(re: RegExp): Promise<RegExpMatchArray>;
}

const procs: Proc[] = [];

function start(args: string[]): Proc {
  const child = spawn(process.execPath, [main, ...args], { cwd: cliDir, env: { ...process.env, SPIKELITE_BACKEND: 'wasm' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const waiters: Array<{ re: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];
  const p: Proc = {
    child, stdout: '', stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    waitFor(re) {
      const m = re.exec(p.stderr);
      return m !== null ? Promise.resolve(m) : new Promise((resolve) => waiters.push({ re, resolve }));
    },
  };
  child.stdout!.on('data', (d: Buffer) => void (p.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    p.stderr += d.toString();
    for (const w of [...waiters]) {
      const m = w.re.exec(p.stderr);
      if (m !== null) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  procs.push(p);
  return p;
}

let redis: TestRedis;

beforeAll(async () => {
  buildCliOnce();
  redis = await startRedis();
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await redis?.stop();
}, 60_000);

type SweepJson = { cells: SweepRow[]; counts: Record<string, number>; submit: Record<string, number> };

describe('spikelite sweep --queue with spikelite worker processes', () => {
  it('12 cells through 2 workers, one killed mid-cell: every report arrives once, equal to the in-process run; resubmitting adds no jobs', async () => {
    const local = scratchDir('sweep-local');
    const inProcess = (await sweepCommand([...grid, '--backend', 'wasm', '--out', local, '--json'])) as { cells: SweepRow[] };
    expect(inProcess.cells).toHaveLength(12);
    expect(inProcess.cells.every((c) => c.status === 'done')).toBe(true);

    const queue = ['--queue', redis.url, '--queue-name', `test-${process.pid}`];
    const worker = (name: string): Proc => start(['worker', ...queue, '--lock-ms', '3000', '--name', name]);
    const w1 = worker('w1');
    const w2 = worker('w2');
    const remote = scratchDir('sweep-queue');
    const sweep = start(['sweep', ...grid, ...queue, '--wait', '--out', remote, '--json']);
    // w1 is killed as soon as it starts a cell: the cell's first run dies with it.
    const [, killedLabel, killedJob] = await w1.waitFor(/^(.+): started \(job (\w+)\)$/m);
    w1.child.kill('SIGKILL');
    expect(await w1.exited).toBeNull(); // killed by the signal

    expect(await sweep.exited).toBe(0);
    const out = JSON.parse(sweep.stdout) as SweepJson;
    expect(out.submit).toMatchObject({ added: 12, queued: 0, completed: 0 });
    expect(out.cells.map((c) => c.status)).toEqual(Array(12).fill('done'));
    expect(out.counts).toMatchObject({ completed: 12, failed: 0, waiting: 0, active: 0 });
    // Every report, once, equal to the in-process one but for its wall time.
    expect(readdirSync(join(remote, 'runs')).sort()).toEqual(readdirSync(join(local, 'runs')).sort());
    for (const c of inProcess.cells) {
      const a = JSON.parse(readFileSync(join(local, 'runs', `${c.key}.json`), 'utf8')) as Record<string, unknown>;
      const b = JSON.parse(readFileSync(join(remote, 'runs', `${c.key}.json`), 'utf8')) as Record<string, unknown>;
      expect({ ...b, wallMs: 0 }, c.label).toEqual({ ...a, wallMs: 0 });
      // One line per cell in the sweep's log: gathered once.
      const lines = sweep.stderr.split('\n').filter((l) => l.includes(` · ${c.label}: `) && /: \d+\.\d\d%, /.test(l));
      expect(lines, c.label).toHaveLength(1);
    }
    // w1 died in its first cell: that cell ran again, from the start, on w2 (its second attempt),
    // and w2 ran every other cell.
    expect(out.cells.find((c) => c.label === killedLabel)!.worker).toBe('w2');
    expect(w2.stderr).toContain(`${killedLabel}: started (job ${killedJob}, attempt 2)`);
    expect(out.cells.map((c) => c.worker)).toEqual(Array(12).fill('w2'));

    // Submitting the grid again (another --out, so nothing is skipped locally) adds no jobs.
    const again = spawnCli(['sweep', ...grid, ...queue, '--out', scratchDir('sweep-again'), '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ submit: { added: 0, queued: 0, completed: 12, retried: 0 }, counts: { completed: 12, failed: 0, waiting: 0 } });

    // A worker stops cleanly on SIGTERM.
    w2.child.kill('SIGTERM');
    expect(await w2.exited).toBe(0);
  }, 600_000);
});

#!/usr/bin/env node
/**
 * The done-when grid, measured with the built CLI: 12 cells on the shipped CNN
 * (threshold and fs at T/K = 4, 8, 16, seeds 0 and 1, on the 1,000 shipped test images), run
 *   1. in this machine's one process (`spikelite sweep`),
 *   2. through a BullMQ queue with 1 worker process, then with 2 (`spikelite worker`),
 *   3. with 2 workers, one killed (SIGKILL) as it starts its first cell,
 *   4. submitted again (no new jobs).
 * A throwaway redis-server (tooling/redis-server.mjs) holds the queue. One JSON line per step on
 * stdout: wall time of the sweep command (submit to last report gathered; workers are started
 * and idle beforehand), how many reports equal the in-process ones field by field (but wallMs),
 * and the load average. Usage: pnpm build, then node apps/cli/scripts/measure-sweep.mjs [--limit-test N].
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis } from '../../../tooling/redis-server.mjs';

const cli = fileURLToPath(new URL('..', import.meta.url));
const main = join(cli, 'dist', 'main.js');
const limitTest = process.argv.includes('--limit-test') ? process.argv[process.argv.indexOf('--limit-test') + 1] : '1000';
const grid = [
  '--onnx', join(cli, '..', '..', 'tooling', 'fixtures', 'onnx', 'fmnist-cnn-bn.onnx'), '--methods', 'threshold,fs', '--timesteps', '4,8,16',
  '--seeds', '0,1', '--data', join(cli, 'data', 'fashion-mnist-mini'), '--limit-test', limitTest,
];
const env = { ...process.env, SPIKELITE_BACKEND: 'wasm' };

function start(args) {
  const child = spawn(process.execPath, [main, ...args], { cwd: cli, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const p = { child, stdout: '', stderr: '', exited: new Promise((res) => child.once('exit', (code) => res(code))) };
  child.stdout.on('data', (d) => (p.stdout += d));
  child.stderr.on('data', (d) => (p.stderr += d));
  p.waitFor = (re) => new Promise((res) => {
    const check = () => (re.test(p.stderr) ? res(re.exec(p.stderr)) : setTimeout(check, 50));
    check();
  });
  return p;
}

const load = () => loadavg().map((x) => Number(x.toFixed(2)));

async function sweep(label, args, out) {
  const t0 = performance.now();
  const p = start(['sweep', ...grid, ...args, '--out', out, '--json']);
  const code = await p.exited;
  const wallS = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`${label}: exit ${code}: ${p.stderr.split('\n').slice(-5).join(' | ')}`);
  return { wallS, json: JSON.parse(p.stdout), stderr: p.stderr };
}

function identical(a, b) {
  const files = readdirSync(join(a, 'runs'));
  let same = 0;
  for (const f of files) {
    const x = JSON.parse(readFileSync(join(a, 'runs', f), 'utf8'));
    let y;
    try {
      y = JSON.parse(readFileSync(join(b, 'runs', f), 'utf8'));
    } catch {
      continue;
    }
    if (JSON.stringify({ ...x, wallMs: 0 }) === JSON.stringify({ ...y, wallMs: 0 })) same++;
  }
  return { identical: same, of: files.length, files: readdirSync(join(b, 'runs')).length };
}

const dir = mkdtempSync(join(tmpdir(), 'spikelite-measure-sweep-'));
const redis = await startRedis();
const workers = [];
const worker = async (queue, name) => {
  const w = start(['worker', '--queue', redis.url, '--queue-name', queue, '--name', name, '--lock-ms', '10000']);
  workers.push(w);
  await w.waitFor(/waiting for cells/);
  return w;
};
const print = (o) => process.stdout.write(`${JSON.stringify({ ...o, load: load() })}\n`);

try {
  const local = join(dir, 'in-process');
  const a = await sweep('in-process', ['--backend', 'wasm'], local);
  print({ step: 'in-process', cells: a.json.cells.length, done: a.json.cells.filter((c) => c.status === 'done').length, wallS: a.wallS, cellWallS: a.json.cells.map((c) => c.wallS) });

  for (const n of [1, 2]) {
    const queue = `measure-${n}`;
    const ws = [];
    for (let i = 1; i <= n; i++) ws.push(await worker(queue, `w${i}`));
    const out = join(dir, `queue-${n}`);
    const r = await sweep(`${n} workers`, ['--queue', redis.url, '--queue-name', queue, '--wait'], out);
    const by = {};
    for (const c of r.json.cells) by[c.worker] = (by[c.worker] ?? 0) + 1;
    print({ step: `queue, ${n} worker${n > 1 ? 's' : ''}`, wallS: r.wallS, ...identical(local, out), cellsByWorker: by, counts: r.json.counts });
    for (const w of ws) w.child.kill('SIGTERM');
    await Promise.all(ws.map((w) => w.exited));
  }

  {
    const queue = 'measure-kill';
    const w1 = await worker(queue, 'w1');
    const w2 = await worker(queue, 'w2');
    const out = join(dir, 'queue-kill');
    const t0 = performance.now();
    const s = start(['sweep', ...grid, '--queue', redis.url, '--queue-name', queue, '--wait', '--out', out, '--json']);
    const [, killed, job] = await w1.waitFor(/^(.+): started \(job (\w+)\)$/m);
    w1.child.kill('SIGKILL');
    const killedAtS = (performance.now() - t0) / 1000;
    const code = await s.exited;
    const wallS = (performance.now() - t0) / 1000;
    const json = JSON.parse(s.stdout);
    const gathered = json.cells.filter((c) => c.status === 'done').length;
    const lines = json.cells.map((c) => s.stderr.split('\n').filter((l) => l.includes(` · ${c.label}: `) && /: \d+\.\d\d%, /.test(l)).length);
    print({
      step: 'queue, 2 workers, one killed', exit: code, wallS, killedAtS, killedCell: killed, job,
      rerunOn: json.cells.find((c) => c.label === killed)?.worker, attempt2: w2.stderr.includes(`${killed}: started (job ${job}, attempt 2)`),
      gathered, reportedOnce: lines.every((n) => n === 1), ...identical(local, out), counts: json.counts,
    });
    const again = await sweep('resubmit', ['--queue', redis.url, '--queue-name', queue], join(dir, 'again'));
    print({ step: 'resubmit', submit: again.json.submit, counts: again.json.counts });
    w2.child.kill('SIGTERM');
    await w2.exited;
  }
} finally {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await redis.stop();
}

/**
 * A throwaway Redis for tests: Debian's redis-server on a free port of 127.0.0.1, no
 * persistence (`--save '' --appendonly no`, its own empty directory), stopped by the test. Tests
 * never touch a Redis they did not start. Used by the sweep-queue tests of @spikelite/pipelines
 * and the CLI (`.ci/run` installs redis-server).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = process.env.REDIS_SERVER ?? 'redis-server';

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts redis-server on `port`; resolves once it accepts connections, rejects with its output if it exits first. */
function launch(port, dir) {
  const child = spawn(BIN, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (e) => reject(e.code === 'ENOENT' ? new Error(`${BIN} not found: apt-get install redis-server (.ci/run installs it)`) : e));
    child.once('exit', (code) => reject(new Error(`redis-server on port ${port} exited (code ${code}): ${output.trim().split('\n').slice(-3).join(' | ')}`)));
  });
}

/**
 * A fresh redis-server: `{ url, port, stop() }`. A port taken between choosing and binding it
 * (another process got there first) is retried on another port.
 */
export async function startRedis() {
  let lastError;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'spikelite-redis-'));
    try {
      const child = await launch(port, dir);
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            const exited = new Promise((resolve) => child.once('exit', resolve));
            child.kill('SIGTERM');
            await exited;
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      if (/not found/.test(e.message)) throw e;
      lastError = e;
    }
  }
  throw lastError;
}

/**
 * Shared by the CLI's tests (excluded from the build in tsconfig.json): the built CLI spawned
 * from dist/main.js, its incremental rebuild, scratch directories, the ONNX fixtures.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError, isUserError } from './errors.js';

/** apps/cli: the spawned CLI's working directory. */
export const cliDir = join(dirname(fileURLToPath(import.meta.url)), '..');
/** tooling/fixtures/onnx: the PyTorch-exported Fashion-MNIST ANNs. */
export const onnxFixtures = join(cliDir, '..', '..', 'tooling', 'fixtures', 'onnx');
/** Timeout of a beforeAll that builds the CLI: tsc -b is slow on the shared machine. */
export const BUILD_TIMEOUT_MS = 240_000;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node dist/main.js ...args` on the wasm backend (`env` adds to or overrides the environment). */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const r = spawnSync(process.execPath, [join(cliDir, 'dist', 'main.js'), ...args], {
    cwd: cliDir,
    encoding: 'utf8',
    env: { ...process.env, SPIKELITE_BACKEND: 'wasm', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let built = false;

/** `tsc -b` in apps/cli (incremental), once per test file; for a beforeAll with BUILD_TIMEOUT_MS. */
export function buildCliOnce(): void {
  if (built) return;
  const build = spawnSync(process.execPath, [join(cliDir, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], { cwd: cliDir, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`tsc -b failed:\n${build.stdout}${build.stderr}`);
  built = true;
}

/** A fresh directory under the OS temp dir, named spikelite-<name>-XXXXXX. */
export function scratchDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `spikelite-${name}-`));
}

/**
 * The message of the user error (CliError, or a library's input error such as PipelineError) a
 * command rejects with. Throws (failing the test) when the call succeeds, rejects with anything
 * else, or would not print as one line with exit code 2 (`label`, e.g. the arguments, names the case).
 */
export async function cliErrorOf(p: Promise<unknown>, label = ''): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (!isUserError(e)) throw new Error(`${label}: expected a user error, got ${String(e)}`, { cause: e });
    const { line, code } = describeError(e);
    if (code !== 2 || line.includes('\n')) throw new Error(`${label}: expected one line and exit code 2, got ${code}: ${line}`, { cause: e });
    return e.message;
  }
  throw new Error(`${label}: expected a user error, the call succeeded`);
}

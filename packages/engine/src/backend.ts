/**
 * Backend choice, once at start-up: native TensorFlow when `@tensorflow/tfjs-node` loads
 * (an optional dependency whose install needs a download), else wasm (the default on
 * offline machines), else the pure-JS cpu fallback. See DESIGN.md "Engine".
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone has no gradients until they are registered, and its ESM file that
// registers them cannot be loaded by Node (extensionless imports); the union package's
// Node bundle registers them in tfjs-core's global registry, and bundlers resolve its ESM.
import '@tensorflow/tfjs';
import { BACKENDS } from '@spikelite/schemas';
import { registerSpikeliteKernels } from './kernels/register.js';

// One list of backends: the one a RunReport's `backend` is checked against.
export { BACKENDS };
export type BackendName = (typeof BACKENDS)[number];

export interface EngineOptions {
  /** Force a backend; 'auto' (default) tries tensorflow, wasm, cpu in turn. */
  backend?: BackendName | 'auto';
  /** Where the wasm binaries are served from (browsers only; Node finds them itself). */
  wasmPaths?: string;
}

export interface EngineInfo {
  backend: BackendName;
  /** Why each backend tried before the chosen one was passed over. */
  skipped: Array<{ backend: BackendName; reason: string }>;
  /** spikelite kernels installed on the chosen backend. */
  kernels: string[];
  tfjsVersion: string;
}

export class EngineError extends Error {
  override name = 'EngineError';
}

/** Read SPIKELITE_BACKEND, validated; undefined when unset. */
export function backendFromEnv(env: Record<string, string | undefined> = globalThis.process?.env ?? {}): BackendName | 'auto' | undefined {
  const raw = env['SPIKELITE_BACKEND'];
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'auto' || (BACKENDS as readonly string[]).includes(raw)) return raw as BackendName | 'auto';
  throw new EngineError(`SPIKELITE_BACKEND: unknown backend '${raw}' (expected one of: auto, ${BACKENDS.join(', ')})`);
}

async function activate(name: BackendName, options: EngineOptions): Promise<void> {
  if (name === 'tensorflow') {
    // The package registers the 'tensorflow' backend as a side effect of loading its native binding.
    // A variable specifier (not a literal) so bundlers do not follow it into the native addon.
    const nativePackage = '@tensorflow/tfjs-node';
    await import(/* @vite-ignore */ /* webpackIgnore: true */ nativePackage);
  } else if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths);
  }
  if (tf.findBackend(name) === null && tf.findBackendFactory(name) === null) {
    throw new EngineError(`backend '${name}' did not register`);
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new EngineError(`backend '${name}' failed to initialise`);
  await tf.ready();
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0] ?? 'unknown error';
}

/**
 * Choose and initialise the tfjs backend. `options.backend` wins over SPIKELITE_BACKEND;
 * a forced backend that cannot load is an error, never a silent fallback.
 */
export async function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  // tfjs prints hints and "already registered" notices unless PROD is set.
  tf.env().set('PROD', true);
  const requested = options.backend ?? backendFromEnv() ?? 'auto';
  const order: readonly BackendName[] = requested === 'auto' ? BACKENDS : [requested];
  const skipped: EngineInfo['skipped'] = [];
  for (const name of order) {
    try {
      await activate(name, options);
      return { backend: name, skipped, kernels: registerSpikeliteKernels(name), tfjsVersion: tf.version_core };
    } catch (e) {
      if (requested !== 'auto') throw new EngineError(`backend '${name}' is not available: ${firstLine(e)}`);
      skipped.push({ backend: name, reason: firstLine(e) });
    }
  }
  throw new EngineError(`no tfjs backend could be initialised: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}

/** The backend in use now. */
export function currentBackend(): string {
  return tf.getBackend();
}

/**
 * The page's tfjs backend: webgl, else wasm, else cpu. Not @spikelite/engine's initEngine:
 * that one tries tfjs-node first and knows no webgl (it is the Node start-up path).
 */
import * as tf from '@tensorflow/tfjs-core';
// Registers the webgl and cpu backends (the union package; tfjs-core alone has none).
import '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Vite copies the binaries into the bundle; tfjs picks one by what the browser supports.
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export const PAGE_BACKENDS = ['webgl', 'wasm', 'cpu'] as const;
export type PageBackend = (typeof PAGE_BACKENDS)[number];

export interface BackendChoice {
  backend: PageBackend;
  /** Why each backend tried before it was passed over. */
  skipped: Array<{ backend: PageBackend; reason: string }>;
}

async function tryBackend(name: PageBackend): Promise<void> {
  if (name === 'wasm') {
    setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmUrl, 'tfjs-backend-wasm-simd.wasm': wasmSimdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl });
  }
  // setBackend resolves false (it does not throw) when the backend fails to initialise.
  if (!(await tf.setBackend(name))) throw new Error(`${name} did not initialise`);
  await tf.ready();
  // A backend can initialise and still fail on first use (e.g. a lost WebGL context).
  const probe = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)));
  const v = (await probe.data())[0];
  probe.dispose();
  if (v !== 3) throw new Error(`${name} computed 1 + 2 = ${v}`);
}

/** `forced` (e.g. from ?backend=wasm) tries only that one. */
export async function chooseBackend(forced?: string | null): Promise<BackendChoice> {
  tf.env().set('PROD', true);
  if (forced && !(PAGE_BACKENDS as readonly string[]).includes(forced)) {
    throw new Error(`?backend=${forced}: expected one of ${PAGE_BACKENDS.join(', ')}`);
  }
  const order: readonly PageBackend[] = forced ? [forced as PageBackend] : PAGE_BACKENDS;
  const skipped: BackendChoice['skipped'] = [];
  for (const name of order) {
    try {
      await tryBackend(name);
      return { backend: name, skipped };
    } catch (e) {
      skipped.push({ backend: name, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  throw new Error(`no tfjs backend could be initialised: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}

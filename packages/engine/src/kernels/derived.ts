/**
 * Two ways the wasm backend copies less:
 *
 * 1. `Identity` shares the input's data (one more reference) instead of copying it, as the
 *    cpu backend's does. tfjs runs Identity for every input a gradient saves (the tape keeps
 *    a clone), so each conv, matmul and neuron step of a training forward copied its inputs,
 *    weights included. No kernel writes into its inputs, so the copy protected nothing.
 *
 * 2. Conv2D results are remembered while their input and filter data live: with the direct
 *    encoding an SNN's first layer convolves the same image with the same weights at every
 *    timestep (the encoder's clone of the image shares its data, see 1), so T − 1 of the T
 *    convolutions are lookups. Data is immutable in tfjs, so equal data means equal results.
 *
 * 3. A cache of tensors derived from a weight (a filter flipped and transposed for the input
 *    gradient, a matrix transposed): the backward pass over T timesteps uses the same weights
 *    T times. Entries are keyed by the source's data, which (1) keeps identical across the
 *    saved clones, and are freed as soon as that data is freed (the optimizer's update gives
 *    the weight new data).
 */
import { engine, type KernelBackend, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { callBuiltin } from './builtin.js';
import { WasmOps } from './wasm-ops.js';

interface RefCounted {
  incRef(dataId: object): void;
  refCount(dataId: object): number;
}

function sharedIdentity({ inputs, backend }: Parameters<KernelFunc>[0]): TensorInfo {
  const { x } = inputs as { x: TensorInfo };
  if (x.dtype === 'string') throw new Error('spikelite Identity: string tensors are not supported on wasm');
  (backend as unknown as RefCounted).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const wasmIdentityKernel: KernelConfig = { kernelName: 'Identity', backendName: 'wasm', kernelFunc: sharedIdentity as KernelFunc };

interface Entry {
  backend: KernelBackend;
  value: TensorInfo;
}

const cache = new Map<object, Map<string, Entry>>();

function live(backend: KernelBackend, dataId: object): boolean {
  return (backend as unknown as RefCounted).refCount(dataId) > 0;
}

/**
 * Drop our reference to `value`. When that frees the data and the engine still lists it (a
 * memoised Conv2D output whose tensors were all disposed while we held it), tell the engine.
 */
function release(e: Entry): void {
  if (e.backend.disposeData(e.value.dataId)) engine().removeDataId(e.value.dataId, e.backend);
}

interface MemoEntry extends Entry {
  x: object;
  filter: object;
  attrs: string;
}

const memo: MemoEntry[] = [];

/** Free every entry whose source data is gone. */
function prune(): void {
  for (const [src, entries] of cache) {
    const any = entries.values().next().value as Entry | undefined;
    if (any !== undefined && live(any.backend, src)) continue;
    for (const e of entries.values()) release(e);
    cache.delete(src);
  }
  for (let i = memo.length - 1; i >= 0; i--) {
    const m = memo[i]!;
    if (live(m.backend, m.x) && live(m.backend, m.filter)) continue;
    release(m);
    memo.splice(i, 1);
  }
}

let memoOn = true;

/**
 * Turn the Conv2D memo on or off (on by default). Benchmarks that time the same
 * convolution repeatedly turn it off, or they would time a lookup.
 */
export function setConv2dMemo(enabled: boolean): void {
  memoOn = enabled;
}

function memoConv2d(args: Parameters<KernelFunc>[0]): TensorInfo {
  prune();
  if (!memoOn) return callBuiltin('Conv2D', args);
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  const attrs = JSON.stringify(args.attrs);
  const hit = memo.find((m) => m.x === x.dataId && m.filter === filter.dataId && m.attrs === attrs);
  const backend = args.backend as unknown as KernelBackend & RefCounted;
  if (hit !== undefined) {
    backend.incRef(hit.value.dataId);
    return { dataId: hit.value.dataId, shape: hit.value.shape, dtype: hit.value.dtype };
  }
  const out = callBuiltin('Conv2D', args);
  backend.incRef(out.dataId); // our reference; the caller gets the one makeOutput made
  memo.push({ backend, value: out, x: x.dataId, filter: filter.dataId, attrs });
  return out;
}

export const wasmConv2dMemoKernel: KernelConfig = { kernelName: 'Conv2D', backendName: 'wasm', kernelFunc: memoConv2d as KernelFunc };

/**
 * The tensor `make()` derives from `source` (e.g. a transposed weight), made once per source
 * data and `kind`, and owned by the cache: callers must not dispose it.
 */
export function derived(backend: KernelBackend, source: TensorInfo, kind: string, make: () => TensorInfo): TensorInfo {
  prune();
  let entries = cache.get(source.dataId);
  if (entries === undefined) {
    entries = new Map();
    cache.set(source.dataId, entries);
  }
  let e = entries.get(kind);
  if (e === undefined) {
    e = { backend, value: make() };
    entries.set(kind, e);
  }
  return e.value;
}

/** Entries held now: derived tensors and memoised convolutions (tests). */
export function derivedCacheSize(): number {
  prune();
  let n = memo.length;
  for (const entries of cache.values()) n += entries.size;
  return n;
}

/** Free every entry (tests; a process that stops using the engine). */
export function clearDerivedCache(): void {
  for (const entries of cache.values()) for (const e of entries.values()) release(e);
  cache.clear();
  for (const m of memo) release(m);
  memo.length = 0;
}

/**
 * The filter rotated 180° in space with input and output channels swapped, [kh, kw, Co, C]:
 * the filter of the input gradient as a convolution. Cached per filter data (derived.ts):
 * T timesteps of a backward pass share it.
 */
export function flippedTransposedFilter(backend: KernelBackend, filter: TensorInfo): TensorInfo {
  return derived(backend, filter, 'flip-transpose', () => {
    const ops = new WasmOps(backend);
    const flipped = ops.reverse(filter, [0, 1]);
    const swapped = ops.transpose(flipped, [0, 1, 3, 2]);
    ops.release(flipped);
    return swapped;
  });
}


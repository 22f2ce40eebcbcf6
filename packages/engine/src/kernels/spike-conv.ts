/**
 * Convolution and matrix product for layers whose input is sparse (spikes, or spikes after
 * an average pool): `spikeConv2d` and `spikeMatMul`. Each call measures the density of its
 * input and runs either the event-driven kernels of spike-simd.ts (work ∝ events) or the
 * backend's dense kernel, by a fixed density cut measured by the engine bench
 * (`spike-crossover`): deterministic, so a run repeats bit for bit. The weight gradient
 * chooses the same way; the input gradient (dy is dense) is always the dense kernel.
 *
 * Kernels, on wasm (event-driven when SIMD is there) and cpu (dense only: the cpu backend is
 * a reference, not a target): `SpikeliteSpikeConv2D` {x, filter} → y and
 * `SpikeliteSpikeConv2DBackpropFilter` {x, dy} → dW; `SpikeliteSpikeMatMul` {x, w} → y and
 * `SpikeliteSpikeMatMulBackpropFilter` {x, dy} → dW (a 1×1 convolution to the sparse code,
 * BatchMatMul to the dense one).
 */
import {
  backend_util,
  engine,
  getGradient,
  getKernel,
  registerGradient,
  registerKernel,
  conv2d,
  matMul,
  type KernelBackend,
  type KernelFunc,
  type NamedAttrMap,
  type Tensor,
  type Tensor2D,
  type Tensor4D,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { spikeSimdFor, type SpikeSimd } from './spike-simd.js';
import { derived, flippedTransposedFilter } from './derived.js';
import { WasmOps } from './wasm-ops.js';
import { wasmHeapMemory, wasmMalloc, type WasmBackendLike } from '../wasm/heap.js';

export const SPIKE_CONV_KERNEL = 'SpikeliteSpikeConv2D';
export const SPIKE_CONV_FILTER_KERNEL = 'SpikeliteSpikeConv2DBackpropFilter';
export const SPIKE_CONV_INPUT_KERNEL = 'SpikeliteSpikeConv2DBackpropInput';
export const SPIKE_MATMUL_KERNEL = 'SpikeliteSpikeMatMul';
export const SPIKE_MATMUL_INPUT_KERNEL = 'SpikeliteSpikeMatMulBackpropInput';
export const SPIKE_MATMUL_FILTER_KERNEL = 'SpikeliteSpikeMatMulBackpropFilter';

export type SpikeKernelMode = 'auto' | 'dense' | 'sparse';

/**
 * Densities (non-zero fraction of the measured operand: x, or dy for the input gradient) at
 * or below which the event-driven kernels run, per layer kind. Measured (CPU time, sparse vs
 * dense, densities 0–100 %) by the engine bench's `spike-crossover` workload on the layer
 * shapes of the BENCH.md workloads; the table is in the engine README. Convolutions: the
 * event-driven forward won up to 50–70 %, dW up to 70–100 %; linear layers (a GEMM that
 * XNNPACK runs well) up to 20–40 %. The cuts take the lower end.
 */
export const SPIKE_CROSSOVER: Readonly<Record<'conv' | 'linear', Readonly<Record<SpikeKernelPart, number>>>> = {
  conv: { forward: 0.5, filter: 0.7, input: 0.5 },
  linear: { forward: 0.3, filter: 0.3, input: 0.3 },
};

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

interface SpikeConvAttrs {
  strides: [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  mode: SpikeKernelMode;
}

let currentMode: SpikeKernelMode = 'auto';

/**
 * How spike layers run from now on: 'auto' (by density, the default), or every call 'dense'
 * or 'sparse' (benchmarks of one path; tests).
 */
export function setSpikeKernelMode(mode: SpikeKernelMode): void {
  if (mode !== 'auto' && mode !== 'dense' && mode !== 'sparse') throw new Error(`setSpikeKernelMode: unknown mode '${String(mode)}'`);
  currentMode = mode;
}

export function spikeKernelMode(): SpikeKernelMode {
  return currentMode;
}

/** What one of the three kernels of a spike layer did since the last reset. */
export interface SpikePathStats {
  /** Calls that took the event-driven path. */
  sparse: number;
  /** Calls that took the dense path. */
  dense: number;
  /** Non-zero elements of the measured operand (x, or dy for the input gradient), over all measured calls. */
  events: number;
  /** Elements of the measured operand over all measured calls. */
  elements: number;
}

/** Per kernel: forward (sparse in x), filter (weight gradient, sparse in x), input (input gradient, sparse in dy). */
export type SpikeKernelStats = Record<SpikeKernelPart, SpikePathStats>;
export type SpikeKernelPart = 'forward' | 'filter' | 'input';

const PARTS: readonly SpikeKernelPart[] = ['forward', 'filter', 'input'];
const stats = Object.fromEntries(PARTS.map((p) => [p, { sparse: 0, dense: 0, events: 0, elements: 0 }])) as SpikeKernelStats;

export function spikeKernelStats(): SpikeKernelStats {
  return Object.fromEntries(PARTS.map((p) => [p, { ...stats[p] }])) as SpikeKernelStats;
}

export function resetSpikeKernelStats(): void {
  for (const p of PARTS) Object.assign(stats[p], { sparse: 0, dense: 0, events: 0, elements: 0 });
}

// ---------------------------------------------------------------- wasm heap access

function heapOf(backend: KernelBackend): { b: WasmBackendLike; memory: WebAssembly.Memory; simd: SpikeSimd } | null {
  const memory = wasmHeapMemory(backend);
  if (memory === null) return null;
  const simd = spikeSimdFor(memory);
  return simd === null ? null : { b: backend as unknown as WasmBackendLike, memory, simd };
}

const offsetOf = (b: WasmBackendLike, t: TensorInfo): number => {
  const d = b.dataIdMap.get(t.dataId);
  if (d === undefined) throw new Error(`${SPIKE_CONV_KERNEL}: tensor is not on the wasm backend`);
  return d.memoryOffset;
};

const sizeOf = (shape: readonly number[]) => shape.reduce((a, c) => a * c, 1);

/** Scratch allocations freed together. */
class Scratch {
  private readonly ptrs: number[] = [];
  constructor(private readonly b: WasmBackendLike) {}
  alloc(bytes: number): number {
    // malloc may grow (and so replace) the heap's ArrayBuffer: callers re-view memory after.
    const p = wasmMalloc(this.b, Math.max(bytes, 16));
    this.ptrs.push(p);
    return p;
  }
  free(): void {
    for (const p of this.ptrs) this.b.wasm._free(p);
    this.ptrs.length = 0;
  }
}

interface Density {
  events: number;
  binary: boolean;
}

/** Non-zero count of x and whether every value is 0 or 1. */
function measure(h: NonNullable<ReturnType<typeof heapOf>>, x: TensorInfo, scratch: Scratch, tally: SpikePathStats): Density {
  const n = sizeOf(x.shape);
  const n4 = n & ~3;
  const out = scratch.alloc(8);
  const px = offsetOf(h.b, x);
  h.simd.scan(px, n4 * 4, out);
  const counts = new Int32Array(h.memory.buffer, out, 2);
  let events = counts[0]!;
  let nonBinary = counts[1]!;
  const tail = new Float32Array(h.memory.buffer, px + n4 * 4, n - n4);
  for (const v of tail) {
    if (v !== 0) events++;
    if (v !== 0 && v !== 1) nonBinary++;
  }
  tally.events += events;
  tally.elements += n;
  return { events, binary: nonBinary === 0 };
}

function convInfo(xShape: number[], filterShape: number[], a: SpikeConvAttrs): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/** Per-pixel event lists of x (the caller frees `scratch`). */
function buildCsr(h: NonNullable<ReturnType<typeof heapOf>>, x: TensorInfo, events: number, scratch: Scratch, info: ConvGeometry) {
  const c = info.inChannels;
  const nPix = info.batchSize * info.inHeight * info.inWidth;
  const row = scratch.alloc((nPix + 1) * 4);
  const idx = scratch.alloc((events + 4) * 4);
  const val = scratch.alloc((events + 4) * 4);
  const px = offsetOf(h.b, x);
  const got = c % 4 === 0 ? h.simd.csr4(px, nPix, c, row, idx, val) : h.simd.csr1(px, nPix, c, row, idx, val);
  if (got !== events) throw new Error(`${SPIKE_CONV_KERNEL}: event count ${got} ≠ scanned ${events}`);
  return { row, idx, val };
}

function callKernel(name: string, backendName: string, args: { inputs: Record<string, TensorInfo>; backend: KernelBackend; attrs: object }): TensorInfo {
  const k = getKernel(name, backendName);
  if (k === undefined) throw new Error(`backend '${backendName}' has no '${name}' kernel`);
  return k.kernelFunc({ inputs: args.inputs, backend: args.backend, attrs: args.attrs as NamedAttrMap }) as TensorInfo;
}

const denseAttrs = (a: SpikeConvAttrs) => ({ strides: a.strides, pad: a.pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: a.dimRoundingMode });

function wantSparse(mode: SpikeKernelMode, density: number, cut: number): boolean {
  return mode === 'sparse' || (mode === 'auto' && density <= cut);
}

// ---------------------------------------------------------------- kernels

/**
 * One kernel of a spike layer with geometry `info`, event-driven on wasm when its sparse
 * operand `x` is sparse enough, else `dense()`:
 *  - 'forward': y = x ⊛ other (the filter);
 *  - 'input': the input gradient, as the forward of x = dy with other = the flipped,
 *    transposed filter (the caller sets up `info` for that convolution; `other` is then a
 *    function, called only on the event-driven path, returning a cached tensor);
 *  - 'filter': dW from x and other = dy.
 */
function spikeKernel(
  part: SpikeKernelPart,
  layer: 'conv' | 'linear',
  backend: KernelBackend,
  backendName: string,
  x: TensorInfo,
  other: TensorInfo | (() => TensorInfo),
  info: ConvGeometry,
  outShape: number[],
  mode: SpikeKernelMode,
  dense: () => TensorInfo,
  tally: SpikePathStats = stats[part],
): TensorInfo {
  const h = backendName === 'wasm' && mode !== 'dense' ? heapOf(backend) : null;
  const countDense = () => {
    tally.dense++;
    return dense();
  };
  if (h === null || info.outChannels % 4 !== 0) return countDense();
  const scratch = new Scratch(h.b);
  try {
    const d = measure(h, x, scratch, tally);
    if (!wantSparse(mode, d.events / Math.max(sizeOf(x.shape), 1), SPIKE_CROSSOVER[layer][part])) return countDense();
    tally.sparse++;
    const out = h.b.makeOutput(outShape, 'float32') as TensorInfo;
    const pOut = offsetOf(h.b, out);
    h.simd.zero(pOut, sizeOf(outShape) * 4);
    // No events: the result is zero (the output, or the weight gradient).
    if (d.events === 0) return out;
    const csr = buildCsr(h, x, d.events, scratch, info);
    const taps = scratch.alloc(12 * info.filterHeight * info.filterWidth);
    const otherInfo = typeof other === 'function' ? other() : other;
    const [f, pA, pB] =
      part === 'filter'
        ? [d.binary ? h.simd.dwTapBinary : h.simd.dwTap, pOut, offsetOf(h.b, otherInfo)]
        : [d.binary ? h.simd.fwdBinary : h.simd.fwd, offsetOf(h.b, otherInfo), pOut];
    f(
      csr.row, csr.idx, csr.val, pA, pB,
      info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outChannels, info.outHeight, info.outWidth,
      info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
      info.padInfo.top, info.padInfo.left, taps,
    );
    return out;
  } finally {
    scratch.free();
  }
}

/** The fields of tfjs's Conv2DInfo the event-driven kernels read. */
type ConvGeometry = Pick<
  backend_util.Conv2DInfo,
  'batchSize' | 'inHeight' | 'inWidth' | 'inChannels' | 'outChannels' | 'outHeight' | 'outWidth' | 'filterHeight' | 'filterWidth' |
  'strideHeight' | 'strideWidth' | 'dilationHeight' | 'dilationWidth'
> & { padInfo: { top: number; left: number } };

/**
 * The input gradient of a stride-1 convolution as a convolution of dy: with the filter
 * flipped in space and its channels swapped, over dy padded by (k − 1 − pad).
 */
function inputGradGeometry(info: backend_util.Conv2DInfo): ConvGeometry | null {
  if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  const top = info.filterHeight - 1 - info.padInfo.top;
  const left = info.filterWidth - 1 - info.padInfo.left;
  if (top < 0 || left < 0) return null;
  return {
    batchSize: info.batchSize, inHeight: info.outHeight, inWidth: info.outWidth, inChannels: info.outChannels,
    outChannels: info.inChannels, outHeight: info.inHeight, outWidth: info.inWidth,
    filterHeight: info.filterHeight, filterWidth: info.filterWidth, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1,
    padInfo: { top, left },
  };
}

type Args = Parameters<KernelFunc>[0];

/**
 * dW through the event kernel whatever the density of x (all of x's non-zeros are events),
 * or null where it cannot run (no wasm SIMD, output channels not a multiple of 4). For
 * layers with few input channels, where it beats the dense form (conv2d-grads.ts).
 */
export function eventFilterGrad(backend: KernelBackend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo, filterShape: number[]): TensorInfo | null {
  if (info.outChannels % 4 !== 0 || heapOf(backend) === null) return null;
  const untallied = { sparse: 0, dense: 0, events: 0, elements: 0 }; // not a spike layer: not in the stats
  return spikeKernel('filter', 'conv', backend, 'wasm', x, dy, info, filterShape, 'sparse', () => {
    throw new Error('unreachable: sparse mode');
  }, untallied);
}

function convForward(backendName: 'wasm' | 'cpu'): KernelFunc {
  return ({ inputs, backend, attrs }: Args) => {
    const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
    const a = attrs as unknown as SpikeConvAttrs;
    const info = convInfo(x.shape, filter.shape, a);
    const b = backend as KernelBackend;
    return spikeKernel('forward', 'conv', b, backendName, x, filter, info, [info.batchSize, info.outHeight, info.outWidth, info.outChannels], a.mode, () =>
      callKernel('Conv2D', backendName, { inputs: { x, filter }, backend: b, attrs: denseAttrs(a) }),
    );
  };
}

function convFilter(backendName: 'wasm' | 'cpu'): KernelFunc {
  return ({ inputs, backend, attrs }: Args) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as SpikeConvAttrs & { filterShape: number[] };
    const info = convInfo(x.shape, a.filterShape, a);
    const b = backend as KernelBackend;
    return spikeKernel('filter', 'conv', b, backendName, x, dy, info, a.filterShape, a.mode, () =>
      callKernel('Conv2DBackpropFilter', backendName, { inputs: { x, dy }, backend: b, attrs: { ...denseAttrs(a), filterShape: a.filterShape } }),
    );
  };
}

function convInput(backendName: 'wasm' | 'cpu'): KernelFunc {
  return ({ inputs, backend, attrs }: Args) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as unknown as SpikeConvAttrs & { inputShape: number[] };
    const b = backend as KernelBackend;
    const dense = () =>
      callKernel('Conv2DBackpropInput', backendName, { inputs: { dy, filter }, backend: b, attrs: { ...denseAttrs(a), inputShape: a.inputShape } });
    const g = inputGradGeometry(convInfo(a.inputShape, filter.shape, a));
    if (g === null) {
      stats.input.dense++;
      return dense();
    }
    const flippedFilter = () => flippedTransposedFilter(b, filter);
    return spikeKernel('input', 'conv', b, backendName, dy, flippedFilter, g, a.inputShape, a.mode, dense);
  };
}

/** A matrix product x [n, k] · w [k, m] is a 1×1 convolution of n pixels with k channels. */
const matMulInfo = (n: number, k: number, m: number) => convInfo([n, 1, 1, k], [1, 1, k, m], { strides: [1, 1], pad: 'valid', mode: 'auto' });

function matMulForward(backendName: 'wasm' | 'cpu'): KernelFunc {
  return ({ inputs, backend, attrs }: Args) => {
    const { x, w } = inputs as { x: TensorInfo; w: TensorInfo };
    const [n, k] = x.shape as [number, number];
    const m = w.shape[1]!;
    const b = backend as KernelBackend;
    return spikeKernel('forward', 'linear', b, backendName, x, w, matMulInfo(n, k, m), [n, m], (attrs as unknown as SpikeConvAttrs).mode, () =>
      callKernel('BatchMatMul', backendName, { inputs: { a: x, b: w }, backend: b, attrs: { transposeA: false, transposeB: false } }),
    );
  };
}

function matMulFilter(backendName: 'wasm' | 'cpu'): KernelFunc {
  return ({ inputs, backend, attrs }: Args) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const [n, k] = x.shape as [number, number];
    const m = dy.shape[1]!;
    const b = backend as KernelBackend;
    return spikeKernel('filter', 'linear', b, backendName, x, dy, matMulInfo(n, k, m), [k, m], (attrs as unknown as SpikeConvAttrs).mode, () =>
      callKernel('BatchMatMul', backendName, { inputs: { a: x, b: dy }, backend: b, attrs: { transposeA: true, transposeB: false } }),
    );
  };
}

/** dx = dy [n, m] · wᵀ: the forward of dy with the transposed weights. */
function matMulInput(backendName: 'wasm' | 'cpu'): KernelFunc {
  return ({ inputs, backend, attrs }: Args) => {
    const { dy, w } = inputs as { dy: TensorInfo; w: TensorInfo };
    const [n, m] = dy.shape as [number, number];
    const k = w.shape[0]!;
    const b = backend as KernelBackend;
    // wᵀ is cached per weight data (T timesteps of a backward pass share it), for both paths.
    const transposed = () => derived(b, w, 'transpose', () => new WasmOps(b).transpose(w, [1, 0]));
    return spikeKernel('input', 'linear', b, backendName, dy, transposed, matMulInfo(n, m, k), [n, k], (attrs as unknown as SpikeConvAttrs).mode, () =>
      backendName === 'wasm'
        ? callKernel('BatchMatMul', backendName, { inputs: { a: dy, b: transposed() }, backend: b, attrs: { transposeA: false, transposeB: false } })
        : callKernel('BatchMatMul', backendName, { inputs: { a: dy, b: w }, backend: b, attrs: { transposeA: false, transposeB: true } }),
    );
  };
}

let registered = false;

const KERNELS: Array<[string, (b: 'wasm' | 'cpu') => KernelFunc]> = [
  [SPIKE_CONV_KERNEL, convForward],
  [SPIKE_CONV_FILTER_KERNEL, convFilter],
  [SPIKE_CONV_INPUT_KERNEL, convInput],
  [SPIKE_MATMUL_KERNEL, matMulForward],
  [SPIKE_MATMUL_FILTER_KERNEL, matMulFilter],
  [SPIKE_MATMUL_INPUT_KERNEL, matMulInput],
];

/** Register the spike kernels (wasm, cpu) and their gradients. Idempotent. */
export function registerSpikeKernels(): string[] {
  if (!registered) {
    for (const b of ['wasm', 'cpu'] as const) {
      for (const [name, make] of KERNELS) if (getKernel(name, b) === undefined) registerKernel({ kernelName: name, backendName: b, kernelFunc: make(b) });
    }
    if (getGradient(SPIKE_CONV_KERNEL) === undefined) {
      registerGradient({
        kernelName: SPIKE_CONV_KERNEL,
        inputsToSave: ['x', 'filter'],
        gradFunc: (dy, saved, attrs) => {
          const [x, filter] = saved as [Tensor4D, Tensor4D];
          const a = attrs as unknown as SpikeConvAttrs;
          const g = dy as Tensor4D;
          return {
            x: () => engine().runKernel(SPIKE_CONV_INPUT_KERNEL, { dy: g, filter }, { ...a, inputShape: x.shape } as unknown as NamedAttrMap) as Tensor,
            filter: () =>
              engine().runKernel(SPIKE_CONV_FILTER_KERNEL, { x, dy: g }, { ...a, filterShape: filter.shape } as unknown as NamedAttrMap) as Tensor,
          };
        },
      });
    }
    if (getGradient(SPIKE_MATMUL_KERNEL) === undefined) {
      registerGradient({
        kernelName: SPIKE_MATMUL_KERNEL,
        inputsToSave: ['x', 'w'],
        gradFunc: (dy, saved, attrs) => {
          const [x, w] = saved as [Tensor2D, Tensor2D];
          const g = dy as Tensor2D;
          return {
            x: () => engine().runKernel(SPIKE_MATMUL_INPUT_KERNEL, { dy: g, w }, attrs) as Tensor,
            w: () => engine().runKernel(SPIKE_MATMUL_FILTER_KERNEL, { x, dy: g }, attrs) as Tensor,
          };
        },
      });
    }
    registered = true;
  }
  return KERNELS.map(([name]) => name);
}

const SPIKE_BACKENDS = new Set(['wasm', 'cpu']);

const pairOf = (v: number | [number, number]): [number, number] => (Array.isArray(v) ? v : [v, v]);

/**
 * A 2-D convolution (NHWC, filter [kh, kw, C, Co]) of an input that is mostly zeros, such as
 * spikes: event-driven when the input is sparse enough, dense otherwise (see the module
 * comment). Same result as `tf.conv2d` to float32 rounding; differentiable in x and filter.
 * Dilated convolutions and backends other than wasm/cpu go to `tf.conv2d`.
 */
export function spikeConv2d(
  x: Tensor4D,
  filter: Tensor4D,
  strides: number | [number, number],
  pad: Pad,
  dilations: number | [number, number] = 1,
): Tensor4D {
  const [dh, dw] = pairOf(dilations);
  if (dh !== 1 || dw !== 1 || !SPIKE_BACKENDS.has(engine().backendName)) {
    return conv2d(x, filter, strides, pad as Parameters<typeof conv2d>[3], 'NHWC', dilations);
  }
  registerSpikeKernels();
  const attrs: SpikeConvAttrs = { strides: pairOf(strides), pad, dimRoundingMode: undefined, mode: currentMode };
  return engine().runKernel(SPIKE_CONV_KERNEL, { x, filter }, attrs as unknown as NamedAttrMap) as Tensor4D;
}

/** x [N, K] (mostly zeros) times w [K, M], chosen like {@link spikeConv2d}. */
export function spikeMatMul(x: Tensor2D, w: Tensor2D): Tensor2D {
  if (!SPIKE_BACKENDS.has(engine().backendName)) return matMul(x, w);
  registerSpikeKernels();
  return engine().runKernel(SPIKE_MATMUL_KERNEL, { x, w }, { mode: currentMode } as unknown as NamedAttrMap) as Tensor2D;
}

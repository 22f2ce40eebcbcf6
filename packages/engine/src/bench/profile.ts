/**
 * Per-kernel time of any tfjs computation, split into phases (e.g. forward, backward,
 * optimizer of a training step), from tfjs's own profiler (`tf.profile`): every kernel the
 * engine dispatches is timed on its own (wasm and cpu run kernels synchronously, so the
 * time is the kernel's). Kernels that our kernels call internally (wasm's Conv2D inside
 * Conv2DBackpropFilter) are counted in their caller.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface KernelRow {
  phase: string;
  kernel: string;
  calls: number;
  ms: number;
  /** Fraction of all kernel time of the profiled run. */
  share: number;
}

export interface KernelProfile {
  /** Rows by phase, then by time (largest first). */
  rows: KernelRow[];
  /** Total kernel time per phase. */
  phases: Record<string, number>;
  /** Kernel time summed over every kernel. */
  kernelMs: number;
  /** Wall time of the profiled run (includes JavaScript between kernels and profiler overhead). */
  wallMs: number;
  kernels: number;
}

/** Marks the start of a phase: kernels dispatched from now on belong to `phase`. */
export type PhaseMark = (phase: string) => void;

interface ActiveProfile {
  kernels: Array<{ name: string; kernelTimeMs: number | Promise<number> | { error: string } }>;
}

function activeKernelCount(): number {
  const state = (tf.engine() as unknown as { state: { activeProfile?: ActiveProfile } }).state;
  return state.activeProfile?.kernels.length ?? 0;
}

/**
 * Run `fn` under tf.profile and aggregate kernel times per (phase, kernel). `fn` calls
 * `mark('backward')` etc. where a new phase begins; kernels before the first mark belong to
 * `firstPhase`. Tensors `fn` returns are disposed.
 */
export async function profileKernels(
  fn: (mark: PhaseMark) => tf.TensorContainer | void | Promise<tf.TensorContainer | void>,
  firstPhase = 'run',
): Promise<KernelProfile> {
  const boundaries: Array<{ at: number; phase: string }> = [{ at: 0, phase: firstPhase }];
  const mark: PhaseMark = (phase) => boundaries.push({ at: activeKernelCount(), phase });
  // The profiler otherwise reads back every output to look for NaNs.
  const checked = tf.env().getBool('CHECK_COMPUTATION_FOR_ERRORS');
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  const t0 = performance.now();
  let info: Awaited<ReturnType<typeof tf.profile>>;
  try {
    info = await tf.profile(async () => {
      const out = await fn(mark);
      if (out !== undefined) tf.dispose(out as tf.TensorContainer);
      return [] as unknown as tf.Tensor;
    });
  } finally {
    tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', checked);
  }
  const wallMs = performance.now() - t0;
  const byKey = new Map<string, KernelRow>();
  const phases: Record<string, number> = {};
  let b = 0;
  let kernelMs = 0;
  info.kernels.forEach((k, i) => {
    while (b + 1 < boundaries.length && boundaries[b + 1]!.at <= i) b++;
    const phase = boundaries[b]!.phase;
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const key = `${phase}\u0000${k.name}`;
    const row = byKey.get(key) ?? { phase, kernel: k.name, calls: 0, ms: 0, share: 0 };
    row.calls++;
    row.ms += ms;
    byKey.set(key, row);
    phases[phase] = (phases[phase] ?? 0) + ms;
    kernelMs += ms;
  });
  const order = [...new Set(boundaries.map((x) => x.phase))];
  const rows = [...byKey.values()]
    .map((r) => ({ ...r, ms: +r.ms.toFixed(2), share: +(r.ms / Math.max(kernelMs, 1e-9)).toFixed(4) }))
    .sort((a, c) => order.indexOf(a.phase) - order.indexOf(c.phase) || c.ms - a.ms);
  for (const p of Object.keys(phases)) phases[p] = +phases[p]!.toFixed(2);
  return { rows, phases, kernelMs: +kernelMs.toFixed(2), wallMs: +wallMs.toFixed(2), kernels: info.kernels.length };
}

/** Coarse categories of a training step's kernels, for a short table. */
export function categoryOf(phase: string, kernel: string): string {
  if (phase === 'optimizer') return 'optimizer';
  if (kernel === 'Conv2D' || kernel === 'FusedConv2D') return phase === 'forward' ? 'conv forward' : 'conv forward (in backward)';
  if (kernel === 'Conv2DBackpropInput') return 'conv dx';
  if (kernel === 'Conv2DBackpropFilter') return 'conv dW';
  if (kernel.startsWith('Spikelite') && /Conv|MatMul/.test(kernel)) return kernel.includes('Grad') || phase !== 'forward' ? 'spike layer backward' : 'spike layer forward';
  if (kernel === 'BatchMatMul' || kernel === '_FusedMatMul') return phase === 'forward' ? 'matmul forward' : 'matmul backward';
  if (kernel.startsWith('SpikeliteLif') || kernel.startsWith('SpikeliteNeuron')) return kernel.includes('Grad') ? 'neuron backward' : 'neuron forward';
  if (/^(Transpose|Reshape|Slice|PadV2|Concat|Identity|Cast|Pack|Unpack|Reverse|Tile|StridedSlice|GatherV2|ZerosLike|OnesLike|Fill)$/.test(kernel)) return 'copies';
  if (/Pool/.test(kernel)) return phase === 'forward' ? 'pool forward' : 'pool backward';
  return phase === 'forward' ? 'other forward' : 'other backward';
}

export interface CategoryRow {
  category: string;
  ms: number;
  share: number;
  calls: number;
}

/** The profile's rows summed by {@link categoryOf}, largest first. */
export function byCategory(profile: KernelProfile): CategoryRow[] {
  const m = new Map<string, CategoryRow>();
  for (const r of profile.rows) {
    const c = categoryOf(r.phase, r.kernel);
    const row = m.get(c) ?? { category: c, ms: 0, share: 0, calls: 0 };
    row.ms += r.ms;
    row.calls += r.calls;
    m.set(c, row);
  }
  return [...m.values()]
    .map((r) => ({ ...r, ms: +r.ms.toFixed(1), share: +(r.ms / Math.max(profile.kernelMs, 1e-9)).toFixed(3) }))
    .sort((a, b) => b.ms - a.ms);
}

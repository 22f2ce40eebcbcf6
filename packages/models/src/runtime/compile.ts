/**
 * `compileSnn(snn)`: an SnnModel as an event-driven inference runtime. The graph is compiled
 * once into one step per node (op handlers in ops/, neuron handlers in neurons/, the input in
 * encoders.ts), weights and neuron parameters read once into typed arrays; `run` then takes
 * each image through its T steps with plain loops, no tensors and no op dispatch. Spike-fed
 * conv and linear layers scatter one weight row per input event when the input is sparse
 * enough (RUNTIME_CROSSOVER, measured by src/bench/runtime-crossover.ts), dense otherwise.
 *
 * Outputs equal SnnModel.forward's: the same spike counts, logits to float32 rounding (sums
 * run in another order than tfjs's kernels). Inference only: no dropout, no gradients.
 */
import type { ChannelNormalization } from '@spikelite/encoding';
import { inputShapeOf } from '@spikelite/schemas';
import { GRAPH_INPUT, shapeSize } from '../graph.js';
import type { SnnModel } from '../snn.js';
import { Arena } from './arena.js';
import { runtimeEncoders } from './encoders.js';
import { runtimeSimdFor } from './simd.js';
import { runtimeNeurons } from './neurons/registry.js';
import type { NeuronStep } from './neurons/types.js';
import { runtimeOps } from './ops/registry.js';
import { RUNTIME_MODES, RuntimeUnsupportedError, type CompileContext, type KernelChoice, type LayerKernelStats, type RuntimeMode, type Step, type Value } from './types.js';

/**
 * Input density (events / elements) up to which a conv or linear layer runs event-driven in
 * 'auto' mode. Measured by src/bench/runtime-crossover.ts (SIMD scatter against SIMD dense, the
 * shipped CNN's layer shapes, 2026-12-04, shared 2-core machine at load 7): the conv scatter
 * was faster than the dense kernel at every density up to 100 % (spikes and values: the same
 * multiply-adds, less loop overhead per tap), so convolutions of listed inputs always scatter;
 * the linear 1568 → 128 layer is as fast dense from 90 % (spikes) and 70 % (values): 70 %.
 */
export const RUNTIME_CROSSOVER: Readonly<Record<'conv2d' | 'linear', number>> = { conv2d: 1, linear: 0.7 };

export interface CompileSnnOptions {
  /** Normalisation of the analog input steps, as given to createEncoder (the encoder does not expose it). */
  normalization?: ChannelNormalization;
  /** Density cuts of 'auto' mode (default RUNTIME_CROSSOVER). */
  crossover?: Partial<Record<'conv2d' | 'linear', number>>;
}

export interface SnnRunOptions {
  /** 'auto' (default): event-driven where the input is sparse; 'dense' or 'sparse' forces one kind of kernel. */
  mode?: RuntimeMode;
}

export interface SnnRunResult {
  /** U(T) per image, [n, classes] row-major. */
  logits: Float32Array;
  /** Spikes per activation layer and step, summed over the images: [layers, T] row-major. */
  spikeCounts: Float64Array;
  /** Per conv/linear layer: steps run event-driven and dense, input events and elements. */
  kernels: LayerKernelStats[];
}

function newValue(arena: Arena, shape: readonly number[], varying: boolean): Value {
  const size = shapeSize(shape);
  return { shape, size, data: arena.f32(size), events: arena.i32(size), count: -1, binary: false, varying };
}

export class SnnRuntime {
  /** Elements per input image (the graph's input shape). */
  readonly inputSize: number;
  readonly classes: number;
  readonly timesteps: number;
  /** Activation layers, in spikeCounts order. */
  readonly layers: number;
  /** True when the conv/linear kernels run as WebAssembly SIMD (else JavaScript loops). */
  readonly simd: boolean;

  constructor(
    private readonly input: import('./encoders.js').InputStep,
    private readonly steps: readonly Step[],
    private readonly neurons: readonly NeuronStep[],
    private readonly output: Value,
    private readonly kernels: KernelChoice,
    private readonly stats: readonly LayerKernelStats[],
    timesteps: number,
    simd: boolean,
  ) {
    this.simd = simd;
    this.inputSize = input.value.size;
    this.classes = output.size;
    this.timesteps = timesteps;
    this.layers = neurons.length;
  }

  /** Runs `n` images (NHWC, or the graph's input layout, back to back in `images`). */
  run(images: Float32Array, n: number, options: SnnRunOptions = {}): SnnRunResult {
    const mode = options.mode ?? 'auto';
    if (!RUNTIME_MODES.includes(mode)) throw new Error(`SnnRuntime.run: mode must be one of ${RUNTIME_MODES.join(', ')}, got '${String(mode)}'`);
    if (!Number.isInteger(n) || n < 0) throw new Error(`SnnRuntime.run: n must be a non-negative integer, got ${n}`);
    if (!(images instanceof Float32Array) || images.length < n * this.inputSize) {
      throw new Error(`SnnRuntime.run: images must be a Float32Array of n × ${this.inputSize} = ${n * this.inputSize} values, got ${images?.length}`);
    }
    this.kernels.mode = mode;
    for (const s of this.stats) s.sparseSteps = s.denseSteps = s.events = s.elements = 0;
    const T = this.timesteps;
    const C = this.classes;
    const logits = new Float32Array(n * C);
    const counts = new Float64Array(this.layers * T);
    const steps = this.steps;
    const neurons = this.neurons;
    const U = new Float32Array(C);
    for (let img = 0; img < n; img++) {
      this.input.load(images, img * this.inputSize);
      for (const s of steps) s.begin?.();
      for (let t = 0; t < T; t++) {
        this.input.step(t);
        // A value that is the same at every step of the image (fed by direct input only) is computed once.
        for (const s of steps) if (t === 0 || s.output.varying) s.step(t);
        for (let k = 0; k < neurons.length; k++) counts[k * T + t]! += neurons[k]!.spikes;
        const out = this.output.data;
        for (let c = 0; c < C; c++) U[c] = t === 0 ? out[c]! : U[c]! + out[c]!;
      }
      logits.set(U, img * C);
    }
    return { logits, spikeCounts: counts, kernels: this.stats.map((s) => ({ ...s })) };
  }
}

/** Compile an SnnModel (its weights and neuron parameters as they are now) into an {@link SnnRuntime}. */
export function compileSnn(snn: SnnModel, options: CompileSnnOptions = {}): SnnRuntime {
  // Twice: to learn the arena's size, then in it.
  const counting = Arena.counting();
  build(snn, options, counting);
  return build(snn, options, Arena.ofSize(counting.bytes));
}

function build(snn: SnnModel, options: CompileSnnOptions, arena: Arena): SnnRuntime {
  const simd = runtimeSimdFor(arena.memory);
  const graph = snn.network.graph;
  const encoder = snn.encoder;
  const inputShape = inputShapeOf(snn.network.spec.input);
  const size = shapeSize(inputShape);
  const norm = options.normalization;
  if (norm !== undefined && (norm.mean.length !== norm.std.length || norm.mean.length !== inputShape[inputShape.length - 1])) {
    throw new Error(`compileSnn: normalization has ${norm.mean.length} means and ${norm.std.length} stds; the images have ${inputShape[inputShape.length - 1]} channels`);
  }
  const makeInput = runtimeEncoders[encoder.kind];
  if (makeInput === undefined || encoder.stochastic) throw new RuntimeUnsupportedError('input', `the '${encoder.kind}' encoding`);
  const input = makeInput(encoder.spec, { shape: inputShape, size, timesteps: snn.timesteps, normalization: norm, arena, value: (v) => newValue(arena, inputShape, v) });
  const crossover = { conv2d: options.crossover?.conv2d ?? RUNTIME_CROSSOVER.conv2d, linear: options.crossover?.linear ?? RUNTIME_CROSSOVER.linear };
  for (const [k, v] of Object.entries(crossover)) if (!(v >= 0 && v <= 1)) throw new Error(`compileSnn: crossover.${k} must be in [0, 1], got ${v}`);
  const kernels: KernelChoice = { mode: 'auto', crossover };
  const stats: LayerKernelStats[] = [];
  const values: Value[] = [];
  const steps: Step[] = [];
  const neurons: NeuronStep[] = [];
  for (const node of graph.nodes) {
    const ctx: CompileContext = {
      graph,
      params: snn.network.params,
      inputs: node.inputs.map((i) => (i === GRAPH_INPUT ? input.value : values[i]!)),
      value: (shape, varying) => newValue(arena, shape, varying),
      param: (name) => {
        const values = snn.network.params.get(name).dataSync();
        const a = arena.f32(values.length);
        a.set(values);
        return a;
      },
      arena,
      simd,
      kernels,
      stats: (n) => {
        const s: LayerKernelStats = { layer: n.path, op: n.op, sparseSteps: 0, denseSteps: 0, events: 0, elements: 0 };
        stats.push(s);
        return s;
      },
    };
    let step: Step;
    if (node.op === 'activation') {
      const layer = snn.neurons[node.index]!;
      const handler = runtimeNeurons.get(layer.spec.kind);
      if (handler === undefined) throw new RuntimeUnsupportedError(node.path, `the '${layer.spec.kind}' neuron`);
      const ns = handler.compile(layer, node, ctx.inputs[0]!, ctx);
      neurons[node.index] = ns;
      step = ns;
    } else {
      const handler = runtimeOps.get(node.op);
      if (handler === undefined) throw new RuntimeUnsupportedError(node.path, `the '${node.op}' op`);
      step = handler.compile(node as never, ctx);
    }
    values[node.id] = step.output;
    steps.push(step);
  }
  const output = values[graph.nodes.length - 1] ?? input.value;
  return new SnnRuntime(input, steps, neurons, output, kernels, stats, snn.timesteps, simd !== null);
}

/**
 * The contract of the event-driven runtime (compile.ts): a compiled SNN is a list of steps,
 * one per graph node, each a closure over typed arrays for ONE image, run T times per image.
 * Values between steps are dense per-image arrays plus, when their producer lists them, the
 * indices of their non-zero elements (events): a spike-fed conv or linear layer then scatters
 * one weight row per event instead of running over every input.
 */
import type { CompiledGraph, Node, NodeOf, NodeOp } from '../graph.js';
import type { ParamStore } from '../params.js';
import type { Arena } from './arena.js';
import type { RuntimeSimd } from './simd.js';

/** How conv and linear layers run: by the measured input density ('auto'), or forced. */
export type RuntimeMode = 'auto' | 'dense' | 'sparse';
export const RUNTIME_MODES: readonly RuntimeMode[] = ['auto', 'dense', 'sparse'];

/** A node's output for the current image and step. */
export interface Value {
  /** Per-image shape, without the batch axis (of the producing node: flatten, reshape and dropout pass their input's value on). */
  readonly shape: readonly number[];
  /** Elements per image. */
  readonly size: number;
  /** Dense values. Producers that list events keep every element outside the list at 0. */
  data: Float32Array;
  /** Indices of the non-zero elements, ascending, in `events[0 .. count)`; only when count ≥ 0. */
  events: Int32Array;
  /** Number of listed events this step, or −1 when the producer does not list them (analog values). */
  count: number;
  /** True when this step's values are all 0 or 1 (spikes): a scatter then skips the multiply. */
  binary: boolean;
  /** False when the value is the same at every step of an image: its producer then runs at t = 0 only. */
  readonly varying: boolean;
}

/** One compiled node: `step(t)` computes `output` from its inputs' current values. */
export interface Step {
  readonly path: string;
  readonly output: Value;
  /** Before each image: zero the state (neurons, sparse outputs). */
  begin?(): void;
  step(t: number): void;
}

/** Per weight layer, what its kernels did over a run (images × steps). */
export interface LayerKernelStats {
  readonly layer: string;
  readonly op: 'conv2d' | 'linear';
  /** Steps run event-driven and dense. */
  sparseSteps: number;
  denseSteps: number;
  /** Listed input events and input elements, over the steps whose input listed events (spike-fed). */
  events: number;
  elements: number;
}

/** What op handlers get to build their step. */
export interface CompileContext {
  readonly graph: CompiledGraph;
  readonly params: ParamStore;
  /** The values of the node's inputs (the network input for GRAPH_INPUT). */
  readonly inputs: readonly Value[];
  /** A new value of this shape (data zeroed; events buffer of the value's size), in the arena. */
  value(shape: readonly number[], varying: boolean): Value;
  /** A parameter's values, read once into the arena. */
  param(name: string): Float32Array;
  /** Where buffers that the SIMD kernels read or write are allocated. */
  readonly arena: Arena;
  /** The SIMD kernels on the arena's memory, or null (no wasm SIMD, a counting pass, or turned off). */
  readonly simd: RuntimeSimd | null;
  /** The run's mode and density cuts, read at every step (they may change between runs). */
  readonly kernels: KernelChoice;
  /** Registers a weight layer's statistics record. */
  stats(node: NodeOf<'conv2d' | 'linear'>): LayerKernelStats;
}

/** The mode of the current run and the density cut of each weight-layer kind. */
export interface KernelChoice {
  mode: RuntimeMode;
  readonly crossover: Readonly<Record<'conv2d' | 'linear', number>>;
}

/** True when a layer fed by `v` runs event-driven this step. */
export function useSparse(k: KernelChoice, op: 'conv2d' | 'linear', v: Value): boolean {
  if (k.mode === 'dense') return false;
  if (k.mode === 'sparse') return true;
  return v.count >= 0 && v.count <= k.crossover[op] * v.size;
}

/** Builds the step of one graph node kind (one module per op family, listed in ops/registry.ts). */
export interface OpHandler<N extends Node = Node> {
  readonly op: NodeOp;
  compile(node: N, ctx: CompileContext): Step;
}

/** An op, neuron kind or encoding the runtime does not run. */
export class RuntimeUnsupportedError extends Error {
  override readonly name = 'RuntimeUnsupportedError';
  constructor(
    readonly layer: string,
    what: string,
  ) {
    super(`compileSnn: layer '${layer}': ${what} is not supported by the event-driven runtime; run this SNN with SnnModel.forward`);
  }
}

export type { Node };

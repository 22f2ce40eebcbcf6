/** Messages between the data-parallel pool (main thread) and its workers. */
import type { SpikeKernelMode } from '@spikelite/engine';
import type { TargetRecipe } from './recipe.js';

export type ToWorker =
  | {
      type: 'init';
      recipe: TargetRecipe;
      backend: string;
      /** The main thread's spike-kernel mode (engine), so every shard runs the same kernels. */
      spikeMode: SpikeKernelMode;
      /** Trainable variables, in the order weights and gradients are exchanged. */
      names: string[];
      /** Every state tensor of the main target (non-trainable ones too: BN statistics, balanced thresholds). */
      state: Array<{ name: string; values: Float32Array }>;
    }
  | {
      type: 'step';
      id: number;
      /** Trainable weights (concatenated in `names` order) when they changed since the last step. */
      weights: Float32Array | null;
      x: Float32Array;
      xShape: number[];
      y: Int32Array;
      seed: number;
    }
  | { type: 'predict'; id: number; weights: Float32Array | null; x: Float32Array; xShape: number[] }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; backend: string }
  | { type: 'grads'; id: number; loss: number; hits: number; spikes: number; hasSpikes: boolean; grads: Float32Array }
  | { type: 'logits'; id: number; logits: Float32Array; shape: number[] }
  | { type: 'error'; message: string };

/** What a method declares (DESIGN "A registry, not switches"): adding one is one file and one registry line. */
import type { Method, RunReport } from '@spikelite/schemas';
import type { z } from 'zod';
import type { MethodContext } from './context.js';

export type MethodId = Method;

/** What a run of the method needs, for a config and a model source. */
export interface MethodNeeds {
  /** Training images beyond calibration: an ANN stage or an SNN stage trains. */
  training: boolean;
  /** Calibration images (drawn from the training set). */
  calibration: boolean;
}

export interface MethodDefinition<S extends z.ZodObject = z.ZodObject> {
  readonly id: MethodId;
  /** One line for --help. */
  readonly about: string;
  /** The config: flat fields with their defaults and help lines (fields.ts). */
  readonly schema: S;
  /**
   * How the method counts steps: T timesteps, K steps per FS neuron, or null (the ANN, which
   * runs once): @spikelite/schemas' METHOD_STEPS. The config field `timesteps` holds them.
   * `sweep`: the values a comparison sweeps over when the method trains nothing (cheap), else null.
   */
  readonly steps: { label: 'T' | 'K' | null; sweep: readonly number[] | null };
  /** The model sources it takes: an ONNX file (trained weights) and/or a ModelSpec or preset (trained here). */
  readonly models: ReadonlyArray<'onnx' | 'spec'>;
  /** Its input encoding needs raw pixels in [0, 1] (spike times from intensities): no normalize step in the data. */
  readonly rawPixels?: boolean;
  needs(config: z.infer<S>, model: 'onnx' | 'spec'): MethodNeeds;
  run(config: z.infer<S>, ctx: MethodContext): Promise<RunReport>;
}

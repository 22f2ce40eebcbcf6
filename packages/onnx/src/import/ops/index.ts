/**
 * The op registry: every ONNX operator the importer converts, one module per family, one line
 * here. The walker (importer.ts) knows no op by name; it looks handlers up in this table.
 */
import { activationHandlers } from './activation.js';
import { convHandlers } from './conv.js';
import { elementwiseHandlers } from './elementwise.js';
import { linearHandlers } from './linear.js';
import { batchNormHandler, type NormalizationOptions } from './normalization.js';
import { poolHandlers } from './pool.js';
import { shapeHandlers } from './shape.js';
import { softmaxHandler } from './softmax.js';
import type { OpHandler } from './types.js';

export interface RegistryHooks extends NormalizationOptions {
  keepFinalSoftmax: boolean;
  onFinalSoftmax(kind: 'softmax' | 'logSoftmax'): void;
}

export function opRegistry(hooks: () => RegistryHooks): Map<string, OpHandler> {
  const handlers: OpHandler[] = [
    ...convHandlers,
    ...poolHandlers,
    batchNormHandler(hooks),
    ...activationHandlers,
    ...elementwiseHandlers,
    ...linearHandlers,
    ...shapeHandlers,
    softmaxHandler('Softmax', hooks),
    softmaxHandler('LogSoftmax', hooks),
  ];
  return new Map(handlers.map((h) => [h.opType, h]));
}

/** The ONNX ops the importer converts on the data path (constant subgraphs are evaluated: static.ts). */
export const SUPPORTED_OPS: readonly string[] = [...opRegistry(() => ({ keepBatchNorm: false, keepFinalSoftmax: false, onFinalSoftmax: () => {} })).keys()].sort();

export type { OpHandler } from './types.js';

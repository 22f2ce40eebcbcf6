/** The runtime's op handlers by graph op (activations are neurons: neurons/registry.ts). */
import type { NodeOp } from '../../graph.js';
import type { OpHandler } from '../types.js';
import { addOp, affineOp } from './arith.js';
import { conv2dOp } from './conv2d.js';
import { linearOp } from './linear.js';
import { avgPoolOp, globalAvgPoolOp, maxPoolOp, sumPoolOp } from './pool.js';
import { dropoutOp, flattenOp, reshapeOp } from './shape.js';

const handlers: readonly OpHandler[] = [
  conv2dOp, linearOp, maxPoolOp, avgPoolOp, sumPoolOp, globalAvgPoolOp, flattenOp, reshapeOp, dropoutOp, addOp, affineOp,
] as unknown as OpHandler[];

export const runtimeOps: ReadonlyMap<NodeOp, OpHandler> = new Map(handlers.map((h) => [h.op, h]));

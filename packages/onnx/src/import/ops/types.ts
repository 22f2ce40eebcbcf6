import type { OpContext } from '../context.js';

/**
 * One ONNX operator: `import` reads the node through the context and emits spikelite layers
 * for its outputs (ctx.produce / ctx.setOutput). `sinceOpset` is the first opset whose
 * semantics the handler implements (older versions of the op differ).
 */
export interface OpHandler {
  readonly opType: string;
  readonly sinceOpset?: number;
  import(ctx: OpContext): void;
}

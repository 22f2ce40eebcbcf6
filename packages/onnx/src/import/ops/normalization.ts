/**
 * BatchNormalization in inference form: y = x·γ/√(σ²+ε) + (β − μ·γ/√(σ²+ε)) per channel (ONNX
 * axis 1). An `affine` layer by default (the fold pass merges it into the conv or linear layer
 * before it); a trainable `batchNorm` layer with `foldBatchNorm: false` where the channel is
 * spikelite's last axis.
 */
import type { OpContext } from '../context.js';
import type { OpHandler } from './types.js';

export interface NormalizationOptions {
  keepBatchNorm: boolean;
}

export function batchNormHandler(options: () => NormalizationOptions): OpHandler {
  return {
    opType: 'BatchNormalization',
    import(ctx: OpContext): void {
      if (ctx.int('training_mode', 0) !== 0) throw ctx.fail('training_mode=1 is not supported (inference graphs only)');
      if (ctx.int('spatial', 1) !== 1) throw ctx.fail('spatial=0 is not supported');
      ctx.onlyFirstOutput('running-statistics');
      const v = ctx.data(0);
      if (!ctx.batched || v.dims.length < 1) throw ctx.fail(`expects [N, C, ...], got ${ctx.describe(v)}`);
      const channels = v.dims[0]!;
      const [gamma, beta, mean, variance] = (['scale', 'B', 'mean', 'var'] as const).map((what, i) => {
        const t = ctx.floats(i + 1, what);
        if (t.data.length !== channels) throw ctx.fail(`${what} has ${t.data.length} values, expected ${channels}`);
        return t.data;
      }) as [Float32Array, Float32Array, Float32Array, Float32Array];
      const eps = ctx.float('epsilon', 1e-5);
      const channelLast = v.layout === 'nhwc' || v.dims.length === 1;
      if (options().keepBatchNorm && channelLast) {
        // ONNX momentum weights the running value (Keras); spikelite's weights the batch (PyTorch).
        const momentum = Math.min(Math.max(1 - ctx.float('momentum', 0.9), 0), 1);
        ctx.produce({ kind: 'batchNorm', epsilon: eps, momentum }, [v], v.layout, { gamma, beta, mean, variance });
        return;
      }
      const scale = Float32Array.from(gamma, (g, i) => g / Math.sqrt(variance[i]! + eps));
      const bias = Float32Array.from(scale, (s, i) => beta[i]! - mean[i]! * s);
      // Per channel: the last spikelite axis, or ONNX axis 1 followed by the remaining axes.
      const shape = channelLast ? [channels] : [channels, ...v.dims.slice(1).map(() => 1)];
      ctx.produce({ kind: 'affine', shape, scale: true, bias: true }, [v], v.layout, { scale, bias });
    },
  };
}

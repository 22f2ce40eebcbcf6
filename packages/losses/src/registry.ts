import type * as tf from '@tensorflow/tfjs-core';
import {
  LossSpec,
  parseWith,
  type CeLoss,
  type FsFitLoss,
  type LossKind,
  type LossSpecInput,
  type SpikeCountLoss,
  type SpikeTimeCeLoss,
} from '@spikelite/schemas';
import { membraneCe } from './ce.js';
import { LossError } from './errors.js';
import { fsFitLoss } from './fs-fit.js';
import { spikeCountLoss } from './spike-count.js';
import { spikeTimeCe } from './spike-time.js';
import type { Loss, LossContext, LossDefinition, LossInputs } from './types.js';

export const ceLossDefinition: LossDefinition<CeLoss> = {
  kind: 'ce',
  needs: ['membrane', 'labels'],
  create: (spec) => (out, labels) => membraneCe(out.membrane!, labels, { on: spec.on, labelSmoothing: spec.labelSmoothing }),
};

export const spikeTimeCeLossDefinition: LossDefinition<SpikeTimeCeLoss> = {
  kind: 'spikeTimeCe',
  needs: ['membrane', 'threshold', 'labels'],
  create: (spec) => (out, labels) =>
    spikeTimeCe(out.membrane!, labels, {
      threshold: out.threshold!,
      membraneWeight: spec.membraneWeight,
      timeWeight: spec.timeWeight,
    }),
};

export const spikeCountLossDefinition: LossDefinition<SpikeCountLoss> = {
  kind: 'spikeCount',
  needs: ['spikes', 'labels'],
  create: (spec) => (out, labels) => spikeCountLoss(out.spikes!, labels, spec),
};

export const fsFitLossDefinition: LossDefinition<FsFitLoss> = {
  kind: 'fsFit',
  needs: ['fit'],
  create(spec, { rng }) {
    const [lo, hi] = spec.regularizer;
    if (lo !== hi && rng === undefined) {
      throw new LossError(`fsFit draws its regularizer weight from U(${lo}, ${hi}) on every call: pass an Rng`);
    }
    return (out) => {
      const c = lo === hi ? lo : lo + (hi - lo) * rng!.next();
      const { f, fhat, vs, importance } = out.fit!;
      return fsFitLoss(f, fhat, vs, c, importance);
    };
  },
};

type SpecOf<K extends LossKind> = Extract<LossSpec, { kind: K }>;

/** LossSpec kind → definition. A new loss is one file exporting a LossDefinition plus one line here. */
export const lossRegistry: { readonly [K in LossKind]: LossDefinition<SpecOf<K>> } = {
  ce: ceLossDefinition,
  spikeTimeCe: spikeTimeCeLossDefinition,
  spikeCount: spikeCountLossDefinition,
  fsFit: fsFitLossDefinition,
};

/**
 * Build the loss of a LossSpec (validated, defaults filled). Every loss has the signature
 * `(out: LossInputs, labels?) → tf.Scalar` (mean over the batch); `loss.needs` says which
 * inputs it reads, and a missing one is an error naming it.
 */
export function createLoss(specInput: LossSpecInput | LossSpec, context: LossContext = {}): Loss {
  const spec = parseWith(LossSpec, specInput, 'loss');
  const def = lossRegistry[spec.kind] as unknown as LossDefinition;
  const fn = def.create(spec, context);
  const loss = (out: LossInputs, labels?: tf.Tensor): tf.Scalar => {
    for (const need of def.needs) {
      const present = need === 'labels' ? labels !== undefined : out[need] !== undefined;
      if (!present) throw new LossError(`'${spec.kind}' loss needs ${need === 'labels' ? 'labels' : `out.${need}`}`);
    }
    return fn(out, labels as tf.Tensor);
  };
  return Object.assign(loss, { kind: spec.kind, needs: def.needs });
}

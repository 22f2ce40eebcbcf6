/**
 * The input of the compiled SNN per encoding (packages/encoding): `direct` is the analog image
 * at every step (the same value, so layers fed only by it run once per image); `hybrid` the
 * analog image for the first `analogSteps`, then one temporal spike per pixel (listed events);
 * `temporal` the spikes alone. Spike times come from @spikelite/encoding's temporalSpikeTimes,
 * so they are the encoder's own. Other encodings (rate, frames) stay on SnnModel.forward.
 */
import { NEVER, temporalSpikeTimes, type ChannelNormalization } from '@spikelite/encoding';
import type { EncodingSpec, TemporalFields } from '@spikelite/schemas';
import type { Arena } from './arena.js';
import type { Value } from './types.js';

/** The network input: `load` an image (from `images` at element offset `at`), then `step(t)`. */
export interface InputStep {
  readonly value: Value;
  load(images: Float32Array, at: number): void;
  step(t: number): void;
}

interface EncoderContext {
  readonly shape: readonly number[];
  readonly size: number;
  readonly timesteps: number;
  readonly normalization: ChannelNormalization | undefined;
  value(varying: boolean): Value;
  readonly arena: Arena;
}

/**
 * The analog image: raw, or (x − mean[c]) / std[c] in float32 as the encoder computes it. Its
 * non-zero elements are listed in `events` (returns their count): dark backgrounds make an
 * unnormalised image sparse, and 'auto' then scatters its values.
 */
function analogInto(out: Float32Array, events: Int32Array, images: Float32Array, at: number, norm: ChannelNormalization | undefined): number {
  if (norm === undefined) out.set(images.subarray(at, at + out.length));
  else {
    const C = norm.mean.length;
    // float32 mean and std, as the encoder's tensors hold them.
    const mean = Float32Array.from(norm.mean);
    const std = Float32Array.from(norm.std);
    for (let i = 0, c = 0; i < out.length; i++) {
      out[i] = Math.fround(images[at + i]! - mean[c]!) / std[c]!;
      if (++c === C) c = 0;
    }
  }
  let n = 0;
  for (let i = 0; i < out.length; i++) if (out[i] !== 0) events[n++] = i;
  return n;
}

const RANGE_TOLERANCE = 1e-6;

/** One temporal spike per element: the events of each step, bucketed once per image. */
function temporalInput(fields: TemporalFields, analogSteps: number, ctx: EncoderContext): InputStep {
  const value = ctx.value(true);
  // The kernels read the input's values and events: both live in the arena.
  const analog = ctx.arena.f32(ctx.size);
  const analogEvents = ctx.arena.i32(ctx.size);
  let analogCount = 0;
  const spikes = ctx.arena.f32(ctx.size);
  const order = ctx.arena.i32(ctx.size);
  const clipped = new Float32Array(ctx.size);
  const start = new Int32Array(ctx.timesteps + 1);
  let listed = 0;
  return {
    value,
    load(images, at) {
      // Clear the last image's spikes before `order` (which `events` views) is rewritten.
      for (let k = 0; k < listed; k++) spikes[value.events[k]!] = 0;
      listed = 0;
      if (analogSteps > 0) analogCount = analogInto(analog, analogEvents, images, at, ctx.normalization);
      for (let i = 0; i < ctx.size; i++) {
        const v = images[at + i]!;
        if (!(v >= -RANGE_TOLERANCE && v <= 1 + RANGE_TOLERANCE)) {
          throw new Error(`compileSnn: the '${analogSteps > 0 ? 'hybrid' : 'temporal'}' encoding reads raw intensities in [0, 1], got ${v} at element ${i} of an image`);
        }
        clipped[i] = Math.min(1, Math.max(0, v));
      }
      const times = temporalSpikeTimes(clipped, fields, ctx.timesteps);
      // Counting sort by spike time: each step's events ascending.
      start.fill(0);
      for (const t of times) if (t !== NEVER) start[t + 1]!++;
      for (let t = 0; t < ctx.timesteps; t++) start[t + 1]! += start[t]!;
      const fill = start.slice(0, ctx.timesteps);
      for (let i = 0; i < times.length; i++) if (times[i] !== NEVER) order[fill[times[i]!]!++] = i;
    },
    step(t) {
      for (let k = 0; k < listed; k++) spikes[value.events[k]!] = 0;
      listed = 0;
      if (t < analogSteps) {
        value.data = analog;
        value.events = analogEvents;
        value.count = analogCount;
        value.binary = false;
        return;
      }
      value.events = order.subarray(start[t]!, start[t + 1]!);
      // `events` now views `order`: clear through it next step (it is not overwritten until the next load).
      for (let k = 0; k < value.events.length; k++) spikes[value.events[k]!] = 1;
      listed = value.events.length;
      value.data = spikes;
      value.count = listed;
      value.binary = true;
    },
  };
}

type Kind = EncodingSpec['kind'];

export const runtimeEncoders: Partial<Record<Kind, (spec: EncodingSpec, ctx: EncoderContext) => InputStep>> = {
  direct(_spec, ctx) {
    const value = ctx.value(false);
    return {
      value,
      load: (images, at) => {
        value.count = analogInto(value.data, value.events, images, at, ctx.normalization);
      },
      step() {},
    };
  },
  hybrid: (spec, ctx) => {
    const s = spec as Extract<EncodingSpec, { kind: 'hybrid' }>;
    return temporalInput(s.temporal, s.analogSteps, ctx);
  },
  temporal: (spec, ctx) => temporalInput(spec as Extract<EncodingSpec, { kind: 'temporal' }>, 0, ctx),
};

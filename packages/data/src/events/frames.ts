/**
 * Events → frames: the recording's time span is cut into `bins` equal bins and each bin
 * becomes one frame [H, W, C] (C = 2 polarity channels, OFF then ON, or 1 when merged),
 * holding the number of events per pixel ('count') or whether any happened ('binary').
 *
 * Bins: over [start, end) (default: the first and the last event, the last event included
 * in the last bin), bin(t) = floor((t − start)·bins / (end − start)), clamped to the last bin.
 * With one distinct timestamp every event falls in bin 0.
 *
 * A clip is laid out as one image [H, W, C·bins], frame-major: channel k·C + c is channel c
 * of frame k, so an ImageSet of clips batches like any image set and the 'frames' encoding
 * (@spikelite/encoding) feeds frame t at step t.
 */
import type { EventStream } from './types.js';

export interface FrameOptions {
  /** Number of time bins (frames), ≥ 1. */
  readonly bins: number;
  /** 'count' (default): events per pixel; 'binary': 1 where any event. */
  readonly mode?: 'count' | 'binary';
  /** 'split' (default): channel 0 OFF, channel 1 ON; 'merge': one channel. */
  readonly polarity?: 'split' | 'merge';
  /** Time span in µs, [start, end); default [first event, last event]. */
  readonly start?: number;
  readonly end?: number;
}

export interface Frames {
  /** [bins, height, width, channels], row-major, float32. */
  readonly data: Float32Array;
  readonly bins: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export function eventsToFrames(events: EventStream, options: FrameOptions): Frames {
  const { bins } = options;
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`eventsToFrames: bins must be a positive integer, got ${bins}`);
  const channels = (options.polarity ?? 'split') === 'split' ? 2 : 1;
  const { width, height } = events;
  const data = new Float32Array(bins * height * width * channels);
  if (events.count === 0) return { data, bins, height, width, channels };
  const start = options.start ?? events.t[0]!;
  const explicitEnd = options.end !== undefined;
  const end = options.end ?? events.t[events.count - 1]!;
  if (!(end >= start)) throw new Error(`eventsToFrames: end ${end} is before start ${start}`);
  const span = end - start;
  const binary = options.mode === 'binary';
  for (let i = 0; i < events.count; i++) {
    const t = events.t[i]!;
    if (t < start || (explicitEnd ? t >= end : t > end)) continue;
    const bin = span === 0 ? 0 : Math.min(bins - 1, Math.floor(((t - start) * bins) / span));
    const c = channels === 2 ? events.p[i]! : 0;
    const idx = ((bin * height + events.y[i]!) * width + events.x[i]!) * channels + c;
    data[idx] = binary ? 1 : data[idx]! + 1;
  }
  return { data, bins, height, width, channels };
}

/** Frames [T, H, W, C] as one clip image [H, W, C·T], frame-major (channel k·C + c). */
export function framesToClip(frames: Frames): Float32Array {
  const { bins, height, width, channels, data } = frames;
  const out = new Float32Array(data.length);
  const pixel = height * width;
  for (let k = 0; k < bins; k++) {
    for (let p = 0; p < pixel; p++) {
      for (let c = 0; c < channels; c++) out[p * bins * channels + k * channels + c] = data[(k * pixel + p) * channels + c]!;
    }
  }
  return out;
}

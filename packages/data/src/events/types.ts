/**
 * Events from an event camera (DVS): one entry per brightness change, in time order.
 * Coordinates have their origin at the top-left, like images (readers flip formats whose
 * origin is the bottom-left); timestamps are microseconds.
 */
export interface EventStream {
  readonly width: number;
  readonly height: number;
  readonly count: number;
  readonly x: Uint16Array;
  readonly y: Uint16Array;
  /** Microseconds (float64: 64-bit AEDAT 3.1 timestamps stay exact up to 2^53 µs). */
  readonly t: Float64Array;
  /** 1 = ON (brighter), 0 = OFF (darker). */
  readonly p: Uint8Array;
}

/** Build a stream from per-event arrays (checked: same lengths, coordinates inside the sensor). */
export function eventStream(width: number, height: number, events: { x: ArrayLike<number>; y: ArrayLike<number>; t: ArrayLike<number>; p: ArrayLike<number> }): EventStream {
  const n = events.x.length;
  if (events.y.length !== n || events.t.length !== n || events.p.length !== n) {
    throw new Error(`eventStream: x, y, t and p must have the same length (got ${n}, ${events.y.length}, ${events.t.length}, ${events.p.length})`);
  }
  for (let i = 0; i < n; i++) {
    if (events.x[i]! >= width || events.y[i]! >= height || events.x[i]! < 0 || events.y[i]! < 0) {
      throw new Error(`eventStream: event ${i} at (${events.x[i]}, ${events.y[i]}) is outside the ${width}×${height} sensor`);
    }
  }
  return { width, height, count: n, x: Uint16Array.from(events.x), y: Uint16Array.from(events.y), t: Float64Array.from(events.t), p: Uint8Array.from(events.p, (v) => (v ? 1 : 0)) };
}

/** Grows typed arrays while a reader decodes events. */
export class EventBuilder {
  private x: number[] = [];
  private y: number[] = [];
  private t: number[] = [];
  private p: number[] = [];
  push(x: number, y: number, t: number, p: number): void {
    this.x.push(x);
    this.y.push(y);
    this.t.push(t);
    this.p.push(p);
  }
  build(width: number, height: number): EventStream {
    return { width, height, count: this.x.length, x: Uint16Array.from(this.x), y: Uint16Array.from(this.y), t: Float64Array.from(this.t), p: Uint8Array.from(this.p) };
  }
}

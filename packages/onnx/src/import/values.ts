/**
 * Data values of the ONNX graph as the importer follows them: which IR layer holds the value,
 * its ONNX per-image dims (the batch axis excluded when the graph is batched), and how spikelite
 * holds it: an image `[C, H, W]` as NHWC `[H, W, C]` ('nhwc'), anything else in ONNX order ('plain').
 */
import type { Shape } from '@spikelite/schemas';

export type Layout = 'nhwc' | 'plain';

export interface DataValue {
  readonly ref: string;
  /** ONNX dims per image (no batch axis in a batched graph). */
  readonly dims: readonly number[];
  readonly layout: Layout;
}

/** spikelite axis of ONNX per-image axis `a` of a value. */
export const spikeliteAxis = (v: DataValue, a: number): number => (v.layout === 'nhwc' ? [2, 0, 1][a]! : a);

/** The spikelite shape of ONNX dims in a layout. */
export const spikeliteShape = (dims: readonly number[], layout: Layout): Shape =>
  layout === 'nhwc' ? [dims[1]!, dims[2]!, dims[0]!] : [...dims];

/** ONNX dims of a spikelite shape in a layout. */
export const onnxDims = (shape: Shape, layout: Layout): number[] => (layout === 'nhwc' ? [shape[2]!, shape[0]!, shape[1]!] : [...shape]);

/** A [C, H, W]-ordered array as [H, W, C] (row-major). */
export function chwToHwc(data: Float32Array, [c, h, w]: readonly [number, number, number]): Float32Array {
  const out = new Float32Array(data.length);
  for (let k = 0; k < c; k++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[(y * w + x) * c + k] = data[(k * h + y) * w + x]!;
  return out;
}

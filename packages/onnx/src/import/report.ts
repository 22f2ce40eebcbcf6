/** What an import did, for `spikelite import` and the RunReport. */
export interface ImportReport {
  /** File path or label. */
  file: string;
  /** ai.onnx opset version. */
  opset: number;
  irVersion: number;
  /** `producer_name producer_version`, e.g. 'pytorch 1.13.0'. */
  producer: string;
  /** Node count of the ONNX graph (Constant and shape nodes included). */
  nodes: number;
  /** The input's ONNX element type: integer inputs (uint8 images) are computed as float32 values. */
  input: { name: string; dims: Array<number | string>; dtype: string };
  output: { name: string; dims: number[]; layout: 'nhwc' | 'plain' };
  /** Batch size fixed in the file, 'dynamic', or 'none' (the graph is one sample). */
  batch: number | 'dynamic' | 'none';
  /** Nodes merged into a layer: BatchNormalization into Conv/Gemm, an Add bias into MatMul, a Pad into a pool. */
  folded: Array<{ node: string; opType: string; into: string }>;
  /** Nodes that became no layer: Dropout, Identity, no-op Flatten/Reshape, the final Softmax, shape arithmetic. */
  removed: Array<{ node: string; opType: string; reason: string }>;
  /** Patterns of several nodes that became one layer (x·sigmoid(x) → silu, ...). */
  fused: Array<{ layer: string; fn: string; nodes: string[] }>;
  /** The input normalisation put in front of the model (`normalize` option), or null. */
  normalize: { mean: number[]; std: number[] } | null;
  /** A final Softmax/LogSoftmax that was removed: the spec outputs the logits before it. */
  outputActivation: 'softmax' | 'logSoftmax' | null;
}

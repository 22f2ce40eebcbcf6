/**
 * The weights of a network, by name (`layers.0.kernel`, `layers.4.body.2.kernel`, ...),
 * shared by the ANN and SNN views of one ModelSpec. Convolution kernels are HWIO
 * ([kh, kw, inC, outC], tfjs layout) and linear kernels [in, out].
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng, type Rng } from '@spikelite/engine';

/** `slope`: PReLU's learned negative slope; `constant`: a constant layer's value; `scale`: an affine layer's factor. */
export type ParamRole = 'weight' | 'bias' | 'bnGamma' | 'bnBeta' | 'bnMean' | 'bnVar' | 'slope' | 'constant' | 'scale';

export interface ParamInfo {
  readonly name: string;
  readonly shape: readonly number[];
  readonly role: ParamRole;
  /** Updated by the optimizer (BN running statistics are not). */
  readonly trainable: boolean;
}

/** How fresh weights are drawn. 'diet': SPEC §4d (conv N(0, √(2/(k²·C_out))), linear N(0, 0.01)); 'kaiming': He normal on fan-in. */
export type InitScheme = 'diet' | 'kaiming';

export class ParamStore {
  private readonly vars = new Map<string, tf.Variable>();
  private readonly infos = new Map<string, ParamInfo>();

  add(info: ParamInfo, value: tf.Tensor): void {
    if (this.vars.has(info.name)) throw new Error(`duplicate parameter '${info.name}'`);
    // No tfjs name: tfjs variable names are global, and two networks share parameter names.
    this.vars.set(info.name, tf.variable(value, info.trainable));
    this.infos.set(info.name, info);
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (v === undefined) throw new Error(`no parameter '${name}'`);
    return v;
  }

  has(name: string): boolean {
    return this.vars.has(name);
  }

  list(): ParamInfo[] {
    return [...this.infos.values()];
  }

  trainable(): tf.Variable[] {
    return this.list().filter((p) => p.trainable).map((p) => this.get(p.name));
  }

  /** Replace a parameter's value (shape must match). */
  assign(name: string, value: tf.Tensor | Float32Array): void {
    const v = this.get(name);
    const t = value instanceof Float32Array ? tf.tensor(value, v.shape) : value;
    if (t.size !== v.size) throw new Error(`parameter '${name}': expected ${v.size} values (shape [${v.shape}]), got ${t.size}`);
    v.assign(t.shape.join() === v.shape.join() ? t : tf.reshape(t, v.shape));
    if (t !== value) t.dispose();
  }

  /** Plain copies of every parameter's values, by name. */
  snapshot(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, v] of this.vars) out.set(name, v.dataSync() as Float32Array);
    return out;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
    this.infos.clear();
  }
}

/** Initial values for a parameter, from a seeded Rng (reproducible on every backend). */
export function initialValue(info: ParamInfo, scheme: InitScheme, rng: Rng): tf.Tensor {
  const size = info.shape.reduce((a, b) => a * b, 1);
  const shape = [...info.shape];
  switch (info.role) {
    case 'bias':
    case 'bnBeta':
    case 'bnMean':
    case 'constant':
      return tf.zeros(shape);
    case 'slope':
      // PyTorch's PReLU initial slope.
      return tf.fill(shape, 0.25);
    case 'bnGamma':
    case 'bnVar':
    case 'scale':
      return tf.ones(shape);
    case 'weight': {
      const isConv = shape.length === 4;
      const [kh, kw, inC, outC] = isConv ? (shape as [number, number, number, number]) : [1, 1, shape[0]!, shape[1]!];
      const std =
        scheme === 'diet'
          ? isConv
            ? Math.sqrt(2 / (kh * kw * outC))
            : 0.01
          : Math.sqrt(2 / (kh * kw * inC));
      const values = new Float32Array(size);
      for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
      return tf.tensor(values, shape);
    }
  }
}

export function seededRng(seed: number): Rng {
  return createRng(seed);
}

/**
 * Local surrogate derivatives for the FS and general neurons (the package's shared surrogate
 * module is written concurrently; these can be swapped for it later). Each maps x, the signed
 * distance from threshold in the neuron's own units (FS: v_s = (v − T)/(|v| + 1); general:
 * u − V_th), to ∂s/∂x.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { SurrogateSpec } from '@spikelite/schemas';

/** ∂s/∂x for the surrogate kinds that need no time information; 'stdb' is rejected. */
export function surrogateDerivative(spec: SurrogateSpec, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    switch (spec.kind) {
      case 'triangle':
        // SPEC §3c: max(0, 1 − |x|/width), width 1 in the paper.
        return tf.relu(tf.sub(1, tf.div(tf.abs(x), spec.width)));
      case 'linear':
        // DIET's form γ·max(0, 1 − |x|), applied to this neuron's x.
        return tf.mul(spec.gamma, tf.relu(tf.sub(1, tf.abs(x))));
      case 'rectangular':
        // SPEC §2a: 1[|x| < width/2].
        return tf.cast(tf.less(tf.abs(x), spec.width / 2), 'float32');
      case 'fastSigmoid': {
        const den = tf.add(1, tf.mul(spec.slope, tf.abs(x)));
        return tf.div(1, tf.mul(den, den));
      }
      case 'arctan': {
        const a = tf.mul((Math.PI / 2) * spec.alpha, x);
        return tf.div(spec.alpha / 2, tf.add(1, tf.mul(a, a)));
      }
      case 'straightThrough':
        return tf.onesLike(x);
      case 'stdb':
        throw new Error("surrogate 'stdb' needs spike times; FS and general neurons support triangle, linear, rectangular, fastSigmoid, arctan, straightThrough");
    }
  });
}

/** Throws the same error as {@link surrogateDerivative} early, at layer creation. */
export function checkSurrogate(spec: SurrogateSpec, where: string): void {
  if (spec.kind === 'stdb') {
    throw new Error(`${where}: surrogate 'stdb' is not supported here (it needs spike times); use triangle, linear, rectangular, fastSigmoid, arctan or straightThrough`);
  }
}

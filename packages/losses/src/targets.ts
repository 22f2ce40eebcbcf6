import * as tf from '@tensorflow/tfjs-core';
import { LossError } from './errors.js';

/**
 * Class targets as a float [N, C] distribution. `labels` is either class indices [N]
 * (int32, or floats holding integers) or rows [N, C] (one-hot or any distribution, used as
 * they are). Label smoothing ε (PyTorch's convention): y ← (1 − ε)·y + ε/C.
 */
export function toTargets(labels: tf.Tensor, batch: number, classes: number, labelSmoothing = 0): tf.Tensor2D {
  if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
    throw new LossError(`labelSmoothing must be in [0, 1), got ${labelSmoothing}`);
  }
  return tf.tidy(() => {
    let y: tf.Tensor2D;
    if (labels.rank === 1) {
      if (labels.shape[0] !== batch) throw new LossError(`labels has ${labels.shape[0]} entries, the batch has ${batch}`);
      const idx = labels.dataSync();
      for (let i = 0; i < idx.length; i++) {
        const v = idx[i]!;
        if (!Number.isInteger(v) || v < 0 || v >= classes) {
          throw new LossError(`labels[${i}] = ${v} is not a class index in [0, ${classes - 1}]`);
        }
      }
      y = tf.cast(tf.oneHot(tf.cast(labels, 'int32') as tf.Tensor1D, classes), 'float32') as tf.Tensor2D;
    } else if (labels.rank === 2) {
      if (labels.shape[0] !== batch || labels.shape[1] !== classes) {
        throw new LossError(`one-hot labels must be [${batch}, ${classes}], got [${labels.shape.join(', ')}]`);
      }
      y = tf.cast(labels, 'float32') as tf.Tensor2D;
    } else {
      throw new LossError(`labels must be class indices [N] or one-hot [N, C], got shape [${labels.shape.join(', ')}]`);
    }
    return labelSmoothing > 0 ? (tf.add(tf.mul(y, 1 - labelSmoothing), labelSmoothing / classes) as tf.Tensor2D) : y;
  });
}

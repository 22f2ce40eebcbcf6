import * as tf from '@tensorflow/tfjs-core';
import type { FramesEncoding } from '@spikelite/schemas';
import { EncodingError } from './errors.js';
import type { EncodingDefinition } from './types.js';

/**
 * Event-camera clips [N, H, W, channels·T'], frame-major: step t is channels
 * [t·channels, (t+1)·channels), fed as it is (event counts or 0/1, not checked against
 * [0, 1], never normalised). Spike input: layer 1 does ACs.
 */
export const framesEncoding: EncodingDefinition<FramesEncoding> = {
  kind: 'frames',
  stochastic: () => false,
  create: (spec, { timesteps }) => ({
    isAnalog: () => false,
    step: (input, t) => {
      const last = input.shape[input.shape.length - 1]!;
      const c = spec.channels;
      if (last % c !== 0 || last / c < timesteps) {
        throw new EncodingError(
          `'frames' encoding: the images' last axis has ${last} channels, which is not ${timesteps} timesteps × ${c} channels per frame (or more frames)`,
        );
      }
      const begin = new Array<number>(input.shape.length).fill(0);
      begin[begin.length - 1] = t * c;
      const size = [...input.shape];
      size[size.length - 1] = c;
      return tf.tidy(() => {
        const frame = tf.slice(input.images, begin, size);
        return frame.dtype === 'float32' ? frame : tf.cast(frame, 'float32');
      });
    },
  }),
};

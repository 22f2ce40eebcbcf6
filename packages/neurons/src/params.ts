/**
 * Neuron parameters (threshold, leak) as tf.Variables: one scalar per layer, or one value
 * per channel (the input's last axis), which broadcasts over [batch, ..., channels].
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Granularity } from '@spikelite/schemas';

/** tfjs variable names are global: a suffix keeps two models with the same layer names apart. */
let created = 0;

export function createParam(
  name: string,
  value: number,
  granularity: Granularity,
  channels: number,
  trainable: boolean,
): tf.Variable {
  if (granularity === 'channel' && !(Number.isInteger(channels) && channels >= 1)) {
    throw new Error(`${name}: per-channel parameters need ctx.channels ≥ 1, got ${channels}`);
  }
  const init = tf.tidy(() => (granularity === 'layer' ? tf.scalar(value) : tf.fill([channels], value)));
  const v = tf.variable(init, trainable, `n${++created}:${name}`);
  init.dispose();
  return v;
}

/** Assign numbers to a parameter: a number fills every entry; an array must match its size. */
export function assignParam(v: tf.Variable, value: number | readonly number[], what: string): void {
  const values = typeof value === 'number' ? new Array<number>(v.size).fill(value) : [...value];
  if (values.length !== v.size) {
    throw new Error(`${what}: expected ${v.size === 1 ? 'a number' : `${v.size} values`}, got ${values.length}`);
  }
  const bad = values.find((x) => !Number.isFinite(x));
  if (bad !== undefined) throw new Error(`${what}: expected finite numbers, got ${bad}`);
  const t = tf.tensor(values, v.shape, 'float32');
  v.assign(t);
  t.dispose();
}

export function readParam(v: tf.Variable): number[] {
  return Array.from(v.dataSync());
}

/** Check that an input/state shape ends in `channels` when a parameter is per channel. */
export function checkChannels(shape: readonly number[], param: tf.Variable, layer: string): void {
  if (param.rank === 0) return;
  const last = shape[shape.length - 1];
  if (last !== param.size) {
    throw new Error(
      `${layer}: per-channel parameters have ${param.size} channels but the input's last axis is ${String(last)} (shape [${shape.join(', ')}])`,
    );
  }
}

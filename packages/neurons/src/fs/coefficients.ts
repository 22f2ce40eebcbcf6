/**
 * FS-neuron coefficient sets (SPEC §3a, `fs_weights.py` of Stöckl & Maass). All sets use the
 * `fs_coding.py` convention: at step t the neuron compares v(t) with T(t), emits d(t) on a
 * spike, and then subtracts h(t); so h(K) is never used (the stored sets end with h = 0).
 */
import { FS_DEFAULT_K } from '@spikelite/schemas';
import type { FsCoefficients, FsNeuron } from '@spikelite/schemas';

/** SPEC §3a: ReLU range parameter α = 25 (output clipped to [0, α·(1 − 2^−K)]). */
export const FS_RELU_ALPHA = 25;

/**
 * The closed-form ReLU set h(t) = d(t) = T(t) = α·2^−t, t = 1..K (SPEC §3a; `fs_weights.py`
 * uses K = 10, α = 25). With it the FS neuron is exactly the K-bit floor quantizer
 * floor(clip(x, 0, α(1 − 2^−K))/α·2^K)·α/2^K.
 */
export function fsReluCoefficients(K: number = FS_DEFAULT_K.relu, alpha: number = FS_RELU_ALPHA): FsCoefficients {
  if (!Number.isInteger(K) || K < 1) throw new Error(`fsReluCoefficients: K must be a positive integer, got ${K}`);
  if (!(Number.isFinite(alpha) && alpha > 0)) throw new Error(`fsReluCoefficients: alpha must be a positive number, got ${alpha}`);
  const values = Array.from({ length: K }, (_, i) => alpha * 2 ** -(i + 1));
  return { h: [...values], d: [...values], T: [...values] };
}

/** Swish/SiLU, K = 16, copied from `fs_weights.py` (SPEC §3a). */
export const FS_SILU_COEFFICIENTS: FsCoefficients = Object.freeze({
  h: [
    0.7844085, 1.7550646, 1.4212719, 1.9244663, 1.4400164, 1.9249276, 1.6100428, 1.29061, 0.83985287, 3.0827985,
    0.43503317, 0.5155389, 0.3269445, 7.618048, -14.419675, 0,
  ],
  d: [
    0.40088242, 1.8856316, 1.4915457, 1.947229, 1.4717816, 1.9147849, 1.6389303, 1.2934641, 0.8703124, 0.68460804,
    0.44262582, 0.32832766, 0.13907616, -0.26217145, 0.23736191, -0.14830568,
  ],
  T: [
    0.05946945, 1.6541206, 1.3066754, 1.3267198, 1.1000695, 1.2308974, 1.1188028, 0.9472501, 0.5447531, 1.0236325,
    0.11921431, -0.12855051, -0.44731247, -2.1383545, 1, -4.109145,
  ],
});

/** Sigmoid, K = 12, copied from `fs_weights.py` (SPEC §3a). */
export const FS_SIGMOID_COEFFICIENTS: FsCoefficients = Object.freeze({
  h: [
    1.6558512, 1.0989026, 10.7739, 1.3579437, 1.0146959, 0.8972655, 2.1207616, 1.6949341, 3.6397197, -2.1483946,
    5.1177883, 0,
  ],
  d: [
    0.37689912, 0.21977554, 0.40271342, 0.17005783, 0.09584032, 0.06293014, 0.04360681, -0.0443096, 0.01999909,
    0.07107325, 0.01502249, 0.01021793,
  ],
  T: [
    -0.00824843, -0.9319625, 1.0080122, -1.2074932, -1.7885877, -2.7065408, -3.2715735, 0.07132628, -3.719372,
    -0.543918, -3.7693157, -5.5447803,
  ],
});

/** Throws unless h, d and T are non-empty, of one length and finite. Returns K. */
export function checkFsCoefficients(c: FsCoefficients, where = 'coefficients'): number {
  const K = c.h.length;
  if (K < 1) throw new Error(`${where}: h must not be empty`);
  for (const key of ['h', 'd', 'T'] as const) {
    const arr = c[key];
    if (arr.length !== K) throw new Error(`${where}: ${key} has ${arr.length} values but h has ${K}`);
    const bad = arr.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${where}: ${key}[${bad}] is not a finite number (${arr[bad]})`);
  }
  return K;
}

/**
 * The coefficients an FS neuron spec runs with: the spec's own when given; else ReLU's closed
 * form for its K (α = 25); else the stored SiLU (K = 16) or sigmoid (K = 12) sets. 'custom'
 * without coefficients, or silu/sigmoid with another K and no coefficients, is an error.
 */
export function fsCoefficientsFor(spec: Pick<FsNeuron, 'activation' | 'coefficients'> & { K?: number | undefined }): FsCoefficients {
  if (spec.coefficients !== undefined) {
    const K = checkFsCoefficients(spec.coefficients, 'fs.coefficients');
    if (spec.K !== undefined && spec.K !== K) throw new Error(`fs.coefficients: ${K} steps but K is ${spec.K}`);
    return spec.coefficients;
  }
  switch (spec.activation) {
    case 'relu':
      return fsReluCoefficients(spec.K ?? FS_DEFAULT_K.relu);
    case 'silu':
    case 'sigmoid': {
      const K = FS_DEFAULT_K[spec.activation];
      if (spec.K !== undefined && spec.K !== K) {
        throw new Error(`fs.K: ${spec.activation} has stored coefficients only for K = ${K}; give coefficients for K = ${spec.K}`);
      }
      return spec.activation === 'silu' ? FS_SILU_COEFFICIENTS : FS_SIGMOID_COEFFICIENTS;
    }
    case 'custom':
      throw new Error("fs.coefficients: activation 'custom' needs coefficients { h, d, T }");
  }
}

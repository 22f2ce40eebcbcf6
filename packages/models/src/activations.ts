/**
 * Scalar versions of the ANN activation functions, for code that works on single numbers
 * (fitting FS neuron coefficients, plotting). They match `applyActivation` (execute.ts).
 */
import type { ActivationLayer } from '@spikelite/schemas';

/** erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7). */
export function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

const relu6 = (x: number): number => Math.min(6, Math.max(0, x));

/** The activation as a function of one number, or null when it has learned parameters (PReLU). */
export function scalarActivation(l: ActivationLayer): ((x: number) => number) | null {
  switch (l.fn) {
    case 'relu':
      return (x) => Math.max(0, x);
    case 'relu6':
      return relu6;
    case 'clip': {
      const lo = l.min ?? -Infinity;
      const hi = l.max ?? Infinity;
      return (x) => Math.min(hi, Math.max(lo, x));
    }
    case 'sigmoid':
      return (x) => 1 / (1 + Math.exp(-x));
    case 'hardSigmoid': {
      const a = l.alpha ?? 0.2;
      const b = l.beta ?? 0.5;
      return (x) => Math.min(1, Math.max(0, a * x + b));
    }
    case 'silu':
      return (x) => x / (1 + Math.exp(-x));
    case 'hardSwish':
      return (x) => (x * relu6(x + 3)) / 6;
    case 'leakyRelu': {
      const a = l.alpha ?? 0.01;
      return (x) => (x > 0 ? x : a * x);
    }
    case 'elu': {
      const a = l.alpha ?? 1;
      return (x) => (x > 0 ? x : a * (Math.exp(x) - 1));
    }
    case 'gelu':
      return l.approximate === 'tanh'
        ? (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))
        : (x) => 0.5 * x * (1 + erf(x / Math.SQRT2));
    case 'tanh':
      return Math.tanh;
    case 'identity':
      return (x) => x;
    case 'prelu':
      return null;
  }
}

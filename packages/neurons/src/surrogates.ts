/**
 * Surrogate gradients (DESIGN "Conventions"): one plain derivative function per
 * {@link SurrogateSpec} kind, and a spike function built once per surrogate with
 * `tf.customGrad`: Heaviside forward (strict `x > 0`), the surrogate derivative backward.
 *
 * Every surrogate is a derivative ∂s/∂x with respect to the argument `x` of the Heaviside
 * step. Which `x` a neuron feeds in is the surrogate's {@link SurrogateDomain}:
 *  - 'normalized': x = u/θ − 1 (DIET `LinearSpike` and ICLR-2020 `STDB` both act on
 *    `mem/threshold − 1`, SPEC §4a). Autograd through x then gives
 *    ∂s/∂u = f'(x)/θ and ∂s/∂θ = −f'(x)·u/θ², exactly as the DIET code does.
 *  - 'difference': x = u − θ (fast sigmoid, arctan, triangle, rectangular, straight-through:
 *    their formulas in `@spikelite/schemas` are written in u − θ), so ∂s/∂u = f'(x) and
 *    ∂s/∂θ = −f'(x).
 * Both domains give the same spikes (u/θ > 1 ⇔ u > θ for θ > 0).
 */
import * as tf from '@tensorflow/tfjs-core';
import { SurrogateSpec, parseWith, type SurrogateSpecInput } from '@spikelite/schemas';

/** The function type `tf.customGrad` takes (not exported by tfjs-core under a name). */
export type CustomGradFn = Parameters<typeof tf.customGrad>[0];

export type SurrogateKind = SurrogateSpec['kind'];
export type SurrogateDomain = 'normalized' | 'difference';

type SpecOf<K extends SurrogateKind> = Extract<SurrogateSpec, { kind: K }>;

// ---------------------------------------------------------------- plain derivatives (numbers)

/** DIET linear: γ·max(0, 1 − |x|), x = u/θ − 1. */
export function linearDerivative(x: number, spec: SpecOf<'linear'>): number {
  return spec.gamma * Math.max(0, 1 - Math.abs(x));
}
/** STDB: α·exp(−β·Δt), Δt = (t − 1) − t_last (independent of x). */
export function stdbDerivative(_x: number, spec: SpecOf<'stdb'>, dt: number): number {
  return spec.alpha * Math.exp(-spec.beta * dt);
}
/** Fast sigmoid (SuperSpike): 1 / (1 + slope·|x|)², x = u − θ. */
export function fastSigmoidDerivative(x: number, spec: SpecOf<'fastSigmoid'>): number {
  const d = 1 + spec.slope * Math.abs(x);
  return 1 / (d * d);
}
/** Arctan: (α/2) / (1 + (π/2·α·x)²), x = u − θ. */
export function arctanDerivative(x: number, spec: SpecOf<'arctan'>): number {
  const a = (Math.PI / 2) * spec.alpha * x;
  return spec.alpha / 2 / (1 + a * a);
}
/** Triangle: max(0, 1 − |x|/width), x = u − θ. */
export function triangleDerivative(x: number, spec: SpecOf<'triangle'>): number {
  return Math.max(0, 1 - Math.abs(x) / spec.width);
}
/** Rectangular: 1[|x| < width/2], x = u − θ. */
export function rectangularDerivative(x: number, spec: SpecOf<'rectangular'>): number {
  return Math.abs(x) < spec.width / 2 ? 1 : 0;
}
/** Straight-through: 1. */
export function straightThroughDerivative(): number {
  return 1;
}

// ---------------------------------------------------------------- the same, on tensors

interface SurrogateImpl<K extends SurrogateKind> {
  readonly domain: SurrogateDomain;
  /** True when the derivative needs Δt, the time since the neuron's last spike. */
  readonly needsSpikeTime: boolean;
  /** ∂s/∂x on a tensor; `dt` is given iff `needsSpikeTime`. */
  tensor(x: tf.Tensor, spec: SpecOf<K>, dt: tf.Tensor | undefined): tf.Tensor;
  /** ∂s/∂x at one point (used by the fused kernels and by tests). */
  scalar(x: number, spec: SpecOf<K>, dt: number): number;
}

const IMPLS: { readonly [K in SurrogateKind]: SurrogateImpl<K> } = {
  linear: {
    domain: 'normalized',
    needsSpikeTime: false,
    tensor: (x, s) => tf.mul(s.gamma, tf.relu(tf.sub(1, tf.abs(x)))),
    scalar: (x, s) => linearDerivative(x, s),
  },
  stdb: {
    domain: 'normalized',
    needsSpikeTime: true,
    tensor: (x, s, dt) => {
      if (dt === undefined) throw new Error('stdb surrogate needs the time since the last spike (dt)');
      return tf.mul(s.alpha, tf.exp(tf.mul(-s.beta, dt)));
    },
    scalar: (x, s, dt) => stdbDerivative(x, s, dt),
  },
  fastSigmoid: {
    domain: 'difference',
    needsSpikeTime: false,
    tensor: (x, s) => tf.reciprocal(tf.square(tf.add(1, tf.mul(s.slope, tf.abs(x))))),
    scalar: (x, s) => fastSigmoidDerivative(x, s),
  },
  arctan: {
    domain: 'difference',
    needsSpikeTime: false,
    tensor: (x, s) => tf.div(s.alpha / 2, tf.add(1, tf.square(tf.mul((Math.PI / 2) * s.alpha, x)))),
    scalar: (x, s) => arctanDerivative(x, s),
  },
  triangle: {
    domain: 'difference',
    needsSpikeTime: false,
    tensor: (x, s) => tf.relu(tf.sub(1, tf.div(tf.abs(x), s.width))),
    scalar: (x, s) => triangleDerivative(x, s),
  },
  rectangular: {
    domain: 'difference',
    needsSpikeTime: false,
    tensor: (x, s) => tf.cast(tf.less(tf.abs(x), s.width / 2), 'float32'),
    scalar: (x, s) => rectangularDerivative(x, s),
  },
  straightThrough: {
    domain: 'difference',
    needsSpikeTime: false,
    tensor: (x) => tf.onesLike(x),
    scalar: () => straightThroughDerivative(),
  },
};

/** Heaviside step, strict: H(x) = 1 if x > 0, else 0 (H(0) = 0). No gradient. */
export function heaviside(x: tf.Tensor): tf.Tensor {
  return tf.step(x, 0);
}

/** A surrogate ready for use: its spec, domain, derivative and customGrad spike function. */
export interface Surrogate {
  readonly spec: SurrogateSpec;
  readonly kind: SurrogateKind;
  readonly domain: SurrogateDomain;
  /** True for 'stdb': `derivative` and `spike` need `dt`, the time since the last spike. */
  readonly needsSpikeTime: boolean;
  /** The Heaviside argument x for membrane u and threshold θ (see {@link SurrogateDomain}). */
  input(u: tf.Tensor, threshold: tf.Tensor | number): tf.Tensor;
  /** ∂s/∂x as a tensor (no gradient through it). */
  derivative(x: tf.Tensor, dt?: tf.Tensor): tf.Tensor;
  /** ∂s/∂x at one point. */
  derivativeAt(x: number, dt?: number): number;
  /** H(x) forward, dy·∂s/∂x backward (`dt` gets a zero gradient). */
  spike(x: tf.Tensor, dt?: tf.Tensor): tf.Tensor;
}

/** Build a surrogate from its spec (validated; defaults filled, e.g. `{ kind: 'linear' }` → γ = 0.3). */
export function createSurrogate(input: SurrogateSpecInput | SurrogateSpec): Surrogate {
  const spec = parseWith(SurrogateSpec, input, 'surrogate');
  const impl = IMPLS[spec.kind] as SurrogateImpl<SurrogateKind>;
  const deriv = (x: tf.Tensor, dt: tf.Tensor | undefined) => impl.tensor(x, spec as never, dt);

  // Built once per surrogate: the customGrad closures depend only on the spec.
  const spike1 = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x]);
    return {
      value: heaviside(x),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, deriv(saved[0]!, undefined)),
    };
  }) as unknown as CustomGradFn);
  const spike2 = tf.customGrad(((x: tf.Tensor, dt: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x, dt]);
    return {
      value: heaviside(x),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, deriv(saved[0]!, saved[1]!)), tf.zerosLike(saved[1]!)],
    };
  }) as unknown as CustomGradFn);

  return {
    spec,
    kind: spec.kind,
    domain: impl.domain,
    needsSpikeTime: impl.needsSpikeTime,
    input(u, threshold) {
      return impl.domain === 'normalized' ? tf.sub(tf.div(u, threshold), 1) : tf.sub(u, threshold);
    },
    derivative(x, dt) {
      return deriv(x, dt);
    },
    derivativeAt(x, dt = 0) {
      return impl.scalar(x, spec as never, dt);
    },
    spike(x, dt) {
      if (impl.needsSpikeTime) {
        if (dt === undefined) throw new Error(`surrogate '${spec.kind}' needs dt (time since the last spike)`);
        return spike2(x, dt);
      }
      return spike1(x);
    },
  };
}

/** The Heaviside-argument domain of a surrogate kind. */
export function surrogateDomain(kind: SurrogateKind): SurrogateDomain {
  return IMPLS[kind].domain;
}

/** A plain number → number derivative for a spec that needs no spike time (fused kernels). */
export function scalarDerivative(spec: SurrogateSpec): (x: number) => number {
  switch (spec.kind) {
    case 'linear': {
      // Branch-free relu: (a + |a|)·(γ/2) equals γ·max(0, a) exactly (×2 and ×½ are exact).
      const half = spec.gamma / 2;
      return (x) => {
        const a = 1 - Math.abs(x);
        return (a + Math.abs(a)) * half;
      };
    }
    case 'fastSigmoid': {
      const k = spec.slope;
      return (x) => {
        const d = 1 + k * Math.abs(x);
        return 1 / (d * d);
      };
    }
    case 'arctan':
      return (x) => arctanDerivative(x, spec);
    case 'triangle':
      return (x) => triangleDerivative(x, spec);
    case 'rectangular':
      return (x) => rectangularDerivative(x, spec);
    case 'straightThrough':
      return () => 1;
    case 'stdb':
      throw new Error("surrogate 'stdb' depends on spike times; it has no plain x → derivative form");
  }
}

/**
 * spikelite's reference FS coefficient sets for activations the paper published none for
 * (hard-swish, hard-sigmoid, tanh, ELU, GELU, leaky ReLU): fitted with @spikelite/neurons'
 * fitFsCoefficients on [−8, 8] (2,000 points, importance N(0, 2²) as SPEC §3c's, 12 restarts ×
 * 2,500 iterations, seed 0). Conversion warm-starts each layer's fit on its observed inputs from
 * these, as it does from the published SiLU and sigmoid sets. Writes
 * packages/neurons/src/fs/reference.ts.
 *
 *     pnpm tsx --conditions source packages/conversion/scripts/fit-reference.ts
 */
import { writeFileSync } from 'node:fs';
import { fitFsCoefficients, fsImportance } from '@spikelite/neurons';
import { scalarActivation } from '@spikelite/models';
import { ActivationLayer } from '@spikelite/schemas';

const SETS = [
  { key: 'hardSwish', layer: { kind: 'activation', fn: 'hardSwish' }, K: 16 },
  { key: 'hardSigmoid', layer: { kind: 'activation', fn: 'hardSigmoid', alpha: 1 / 6, beta: 0.5 }, K: 12 },
  { key: 'tanh', layer: { kind: 'activation', fn: 'tanh' }, K: 16 },
  { key: 'elu', layer: { kind: 'activation', fn: 'elu', alpha: 1 }, K: 16 },
  { key: 'gelu', layer: { kind: 'activation', fn: 'gelu' }, K: 16 },
  { key: 'leakyRelu', layer: { kind: 'activation', fn: 'leakyRelu', alpha: 0.01 }, K: 16 },
] as const;

const range: [number, number] = [-8, 8];
const out: string[] = [];
for (const s of SETS) {
  const t0 = performance.now();
  const fn = scalarActivation(ActivationLayer.parse(s.layer))!;
  const fit = fitFsCoefficients(fn, { K: s.K, range, points: 2000, restarts: 12, iterations: 2500, seed: 0, importance: fsImportance(0, 2, range) });
  const round = (v: readonly number[]): string => `[${v.map((x) => Number(x.toPrecision(8))).join(', ')}]`;
  console.log(`${s.key}: mse ${fit.mse.toExponential(3)} spikes ${fit.spikes.toFixed(2)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  out.push(
    `  /** K = ${s.K}; mse ${fit.mse.toExponential(2)} on [${range}], ${fit.spikes.toFixed(2)} spikes per input. */\n` +
      `  ${s.key}: Object.freeze({\n    h: ${round(fit.coefficients.h)},\n    d: ${round(fit.coefficients.d)},\n    T: ${round(fit.coefficients.T)},\n  }),`,
  );
}
const file = `/**
 * spikelite's reference FS coefficients for activations without a published set, fitted by
 * packages/conversion/scripts/fit-reference.ts (regenerate with it; do not edit by hand). hardSigmoid is PyTorch's
 * (slope 1/6, offset 0.5), elu α = 1, leakyRelu slope 0.01, gelu exact (erf). Conversion starts
 * each layer's fit on its own inputs from these; they are not the paper's.
 */
import type { FsCoefficients } from '@spikelite/schemas';

export const FS_REFERENCE_COEFFICIENTS: Readonly<Record<'hardSwish' | 'hardSigmoid' | 'tanh' | 'elu' | 'gelu' | 'leakyRelu', FsCoefficients>> = {
${out.join('\n')}
};
`;
writeFileSync(new URL('../../neurons/src/fs/reference.ts', import.meta.url), file);

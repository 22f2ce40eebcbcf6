/**
 * A per-layer text table of an energy report, for stderr: layer, ANN MACs, SNN ACs, SNN MACs,
 * SNN pJ, then the totals, the ratio (said in words when the SNN costs more than the ANN) and,
 * for a full account, the separately counted operations and the alternatives.
 */
import type { EnergyAccount, EnergyReport } from './count.js';

/** 4 significant digits with an SI suffix: 225792 → '225.8k', 8755905 → '8.756M'. */
export function formatCount(n: number): string {
  if (n === 0) return '0';
  const units: Array<[number, string]> = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [scale, suffix] of units) if (Math.abs(n) >= scale) return `${(n / scale).toPrecision(4)}${suffix}`;
  return Math.abs(n) >= 1 ? n.toPrecision(4).replace(/\.?0+$/, '') : n.toPrecision(3);
}

/** 'ratio 2.23×' or, below 1, the SNN costing more said plainly. */
export function describeRatio(annPj: number, snnPj: number, ratio: number): string {
  if (snnPj === 0) return 'ratio undefined (the SNN did no counted operations)';
  if (ratio < 1) return `ratio ${ratio.toPrecision(3)}×: the SNN costs MORE than the ANN (${(snnPj / annPj).toPrecision(3)}× the ANN's energy)`;
  return `ratio ${ratio.toPrecision(3)}× (ANN / SNN)`;
}

function isAccount(x: unknown): x is EnergyAccount {
  return typeof x === 'object' && x !== null && 'compute' in x && 'energy' in x;
}

/** Accepts a RunReport (its `energy`), the `energy` object itself, or a full EnergyAccount. */
export function energyTable(report: EnergyReport | EnergyAccount | { energy: EnergyReport }): string {
  const account = isAccount(report) ? report : null;
  const e: EnergyReport = account !== null ? account.energy : 'perLayer' in report ? report : report.energy;
  const head = ['layer', 'ANN MACs', 'SNN ACs', 'SNN MACs', 'SNN pJ'];
  const rows = e.perLayer.map((l) => [l.layer, formatCount(l.annMacs), formatCount(l.snnAcs), formatCount(l.snnMacs), formatCount(l.snnPj)]);
  const sum = (f: (l: EnergyReport['perLayer'][number]) => number): number => e.perLayer.reduce((a, l) => a + f(l), 0);
  rows.push(['total', formatCount(sum((l) => l.annMacs)), formatCount(sum((l) => l.snnAcs)), formatCount(sum((l) => l.snnMacs)), formatCount(sum((l) => l.snnPj))]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(0, -1).map(line), line(widths.map((w) => '-'.repeat(w))), line(rows[rows.length - 1]!)];
  const scope = account === null ? '' : account.includeNeuronUpdates ? ' (compute + neuron updates, pooling, residual adds)' : ' (compute energy: MACs and ACs only)';
  out.push(`energy [${e.profile}]${scope}: ANN ${formatCount(e.annPj)} pJ, SNN ${formatCount(e.snnPj)} pJ, ${describeRatio(e.annPj, e.snnPj, e.ratio)}`);
  if (account === null) return out.join('\n');

  const where = account.includeNeuronUpdates ? 'included above' : 'not included above';
  out.push(`layer-1 input: ${account.analogInput.convention}`);
  const once = account.alternatives.firstLayerOnce;
  if (once.snnPj !== e.snnPj) out.push(`  counting F_1 once instead: SNN ${formatCount(once.snnPj)} pJ, ${describeRatio(once.annPj, once.snnPj, once.ratio)}`);
  const g = account.alternatives.gradedSpikes;
  if (g !== null) out.push(`  graded spikes as ${g.cost === 'ac' ? 'ACs (K weight copies)' : 'MACs (one weight copy)'} instead: SNN ${formatCount(g.snnPj)} pJ, ${describeRatio(g.annPj, g.snnPj, g.ratio)}`);
  const nu = account.neuronUpdates;
  if (nu !== null) {
    out.push(`neuron updates (${where}; costed by ${nu.costing === 'ops' ? 'ops: mul = MAC − AC, add/compare = AC' : 'the profile\'s neuronUpdatePj'}): ANN ${formatCount(nu.annPj)} pJ, SNN ${formatCount(nu.snnPj)} pJ`);
    for (const r of nu.perLayer) {
      out.push(`  ${r.layer}${r.kind ? ` [${r.kind}]` : ''}: ${formatCount(r.neurons)} neurons × ${r.steps} steps: ${formatCount(r.mul)} mul, ${formatCount(r.add)} add, ${formatCount(r.compare)} compare = ${formatCount(r.snnPj)} pJ`);
    }
  }
  if (account.pooling.perLayer.length > 0) {
    out.push(`pooling (${where}): ANN ${formatCount(account.pooling.annPj)} pJ, SNN ${formatCount(account.pooling.snnPj)} pJ`);
    for (const p of account.pooling.perLayer) out.push(`  ${p.layer} [${p.op}]: ANN ${formatCount(p.annOps)} ops, SNN ${formatCount(p.snnOps)} ops`);
  }
  if (account.residual.perLayer.length > 0) {
    out.push(`residual adds (${where}): ANN ${formatCount(account.residual.annPj)} pJ, SNN ${formatCount(account.residual.snnPj)} pJ`);
  }
  const t = account.total;
  out.push(`everything counted: ANN ${formatCount(t.annPj)} pJ, SNN ${formatCount(t.snnPj)} pJ, ${describeRatio(t.annPj, t.snnPj, t.ratio)}`);
  return out.join('\n');
}

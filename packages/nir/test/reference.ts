/**
 * An independent NIR executor for the tests: plain JavaScript loops in float64 over NIR's own
 * layouts ((C, H, W) images, OIHW weights, (out, in) matrices), batch 1, the NIR equations
 * stepped by forward Euler as written in the NIR paper (v += dt/τ·(v_leak − v + r·I), not
 * spikelite's β·v + α·I form). It shares no code with the package: it reads the typed graph
 * only, so a layout or mapping mistake in nirToSpikelite shows up as a difference.
 */
import type { NirGraph, NirNode } from '../src/graph.js';

type Vec = Float64Array;
type Conv = 'nir' | 'step';

interface State {
  v: Vec;
  i?: Vec;
}

const arr = (t: { data: ArrayLike<number> }, n: number): Vec => {
  const d = Float64Array.from(t.data);
  return d.length === 1 && n > 1 ? new Float64Array(n).fill(d[0]!) : d;
};

function conv2d(x: Vec, [, h, w]: readonly [number, number, number], n: Extract<NirNode, { type: 'Conv2d' }>): { y: Vec; shape: number[] } {
  const [o, ig, kh, kw] = n.weight.shape as number[] as [number, number, number, number];
  const [sh, sw] = n.stride;
  const [dh, dw] = n.dilation;
  let ph: number, pw: number;
  if (n.padding === 'same') [ph, pw] = [Math.floor((dh * (kh - 1)) / 2), Math.floor((dw * (kw - 1)) / 2)];
  else if (n.padding === 'valid') [ph, pw] = [0, 0];
  else [ph, pw] = n.padding;
  const oh = n.padding === 'same' ? h : Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const ow = n.padding === 'same' ? w : Math.floor((w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  const W = n.weight.data;
  const y = new Float64Array(o * oh * ow);
  const og = o / n.groups;
  for (let a = 0; a < o; a++) {
    const g = Math.floor(a / og);
    for (let yy = 0; yy < oh; yy++)
      for (let xx = 0; xx < ow; xx++) {
        let s = n.bias.data[a]!;
        for (let b = 0; b < ig; b++)
          for (let u = 0; u < kh; u++)
            for (let q = 0; q < kw; q++) {
              const iy = yy * sh - ph + u * dh;
              const ix = xx * sw - pw + q * dw;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              s += W[((a * ig + b) * kh + u) * kw + q]! * x[((g * ig + b) * h + iy) * w + ix]!;
            }
        y[(a * oh + yy) * ow + xx] = s;
      }
  }
  return { y, shape: [o, oh, ow] };
}

function pool2d(x: Vec, [c, h, w]: readonly [number, number, number], n: Extract<NirNode, { type: 'SumPool2d' | 'AvgPool2d' }>): { y: Vec; shape: number[] } {
  const [kh, kw] = n.kernel_size;
  const [sh, sw] = n.stride;
  const [ph, pw] = n.padding;
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
  const y = new Float64Array(c * oh * ow);
  for (let k = 0; k < c; k++)
    for (let yy = 0; yy < oh; yy++)
      for (let xx = 0; xx < ow; xx++) {
        let s = 0;
        for (let u = 0; u < kh; u++)
          for (let q = 0; q < kw; q++) {
            const iy = yy * sh - ph + u;
            const ix = xx * sw - pw + q;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) s += x[(k * h + iy) * w + ix]!;
          }
        // AvgPool2d: PyTorch's default count_include_pad = True (the whole window).
        y[(k * oh + yy) * ow + xx] = n.type === 'SumPool2d' ? s : s / (kh * kw);
      }
  return { y, shape: [c, oh, ow] };
}

export interface ReferenceRun {
  /** The Output's value per step. */
  outputs: number[][];
  /** Neuron node → its membrane per step (after the reset). */
  voltages: Record<string, number[][]>;
  /** Neuron node → its spikes per step. */
  spikes: Record<string, number[][]>;
}

/** Runs a flat (no subgraph) NIR graph with one Input and one Output on `rows` (NIR order). */
export function referenceRun(graph: NirGraph, rows: readonly (readonly number[])[], dt: number, convention: Conv): ReferenceRun {
  const names = Object.keys(graph.nodes);
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const [from, to] of graph.edges) if (to === n) visit(from);
    order.push(n);
  };
  names.forEach(visit);
  const state = new Map<string, State>();
  const result: ReferenceRun = { outputs: [], voltages: {}, spikes: {} };
  for (const row of rows) {
    const vals = new Map<string, { y: Vec; shape: number[] }>();
    for (const name of order) {
      const node = graph.nodes[name]!;
      if (node.type === 'Input') {
        vals.set(name, { y: Float64Array.from(row), shape: [...node.shape] });
        continue;
      }
      const ins = graph.edges.filter(([, to]) => to === name).map(([from]) => vals.get(from)!);
      const x = new Float64Array(ins[0]!.y.length);
      for (const v of ins) v.y.forEach((e, j) => (x[j]! += e));
      const shape = ins[0]!.shape;
      const n = x.length;
      let out: { y: Vec; shape: number[] };
      switch (node.type) {
        case 'Output':
          result.outputs.push(Array.from(x));
          out = { y: x, shape };
          break;
        case 'Affine':
        case 'Linear': {
          const [o, inn] = node.weight.shape as [number, number];
          const y = new Float64Array(o);
          for (let a = 0; a < o; a++) {
            let s = node.type === 'Affine' ? arr(node.bias, o)[a]! : 0;
            for (let b = 0; b < inn; b++) s += node.weight.data[a * inn + b]! * x[b]!;
            y[a] = s;
          }
          out = { y, shape: [o] };
          break;
        }
        case 'Scale': {
          const s = arr(node.scale, n);
          out = { y: x.map((e, j) => e * s[j]!), shape };
          break;
        }
        case 'Conv2d':
          out = conv2d(x, shape as [number, number, number], node);
          break;
        case 'SumPool2d':
        case 'AvgPool2d':
          out = pool2d(x, shape as [number, number, number], node);
          break;
        case 'Flatten':
          out = { y: x, shape: [n] };
          break;
        case 'Threshold': {
          const th = arr(node.threshold, n);
          out = { y: x.map((e, j) => (e > th[j]! ? 1 : 0)), shape };
          break;
        }
        case 'IF':
        case 'LIF':
        case 'LI':
        case 'I': {
          const st = state.get(name) ?? { v: new Float64Array(n) };
          state.set(name, st);
          const r = arr(node.r, n);
          const leaky = node.type === 'LIF' || node.type === 'LI';
          const tau = leaky ? arr((node as { tau: { data: ArrayLike<number> } }).tau, n) : null;
          const vLeak = leaky ? arr((node as { v_leak: { data: ArrayLike<number> } }).v_leak, n) : null;
          const spiking = node.type === 'IF' || node.type === 'LIF';
          const th = spiking ? arr((node as { v_threshold: { data: ArrayLike<number> } }).v_threshold, n) : null;
          const reset = spiking ? arr((node as { v_reset: { data: ArrayLike<number> } }).v_reset, n) : null;
          const y = new Float64Array(n);
          for (let j = 0; j < n; j++) {
            let v = st.v[j]!;
            if (leaky) v = v + (dt / tau![j]!) * (vLeak![j]! - v + r[j]! * x[j]!);
            else v = v + (convention === 'nir' ? dt * r[j]! : r[j]!) * x[j]!;
            if (spiking && v > th![j]!) {
              y[j] = 1;
              v = reset![j]!;
            } else y[j] = spiking ? 0 : v;
            st.v[j] = v;
          }
          (result.voltages[name] ??= []).push(Array.from(st.v));
          (result.spikes[name] ??= []).push(Array.from(y));
          out = { y, shape };
          break;
        }
        default:
          throw new Error(`reference: ${node.type} is not implemented`);
      }
      vals.set(name, out);
    }
  }
  return result;
}

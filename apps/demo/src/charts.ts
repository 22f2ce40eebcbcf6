/**
 * Canvas drawings of one SNN run: the input, class scores U(t), a spike raster, the output
 * membrane over time. Plain 2D canvas: the page redraws them at every replayed timestep.
 */

export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];
const INK = '#1f2937';
const MUTED = '#9ca3af';
const GRID = '#e5e7eb';

/** A 2D context sized for the device's pixel ratio; draw in CSS pixels. */
function context(canvas: HTMLCanvasElement): { g: CanvasRenderingContext2D; w: number; h: number } {
  const w = Number(canvas.dataset['w'] ?? canvas.width);
  const h = Number(canvas.dataset['h'] ?? canvas.height);
  if (canvas.dataset['w'] === undefined) {
    canvas.dataset['w'] = String(w);
    canvas.dataset['h'] = String(h);
    const dpr = globalThis.devicePixelRatio || 1;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
  }
  const g = canvas.getContext('2d')!;
  g.setTransform(canvas.width / w, 0, 0, canvas.height / h, 0, 0);
  g.clearRect(0, 0, w, h);
  g.font = '12px system-ui, sans-serif';
  return { g, w, h };
}

/** Grey pixels (0 = black), nearest-neighbour upscaled. */
export function drawImage(canvas: HTMLCanvasElement, pixels: Uint8Array, side = 28): void {
  const { g, w, h } = context(canvas);
  const cw = w / side;
  const ch = h / side;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const v = pixels[y * side + x]!;
      g.fillStyle = `rgb(${v},${v},${v})`;
      g.fillRect(x * cw, y * ch, Math.ceil(cw), Math.ceil(ch));
    }
  }
}

/**
 * Horizontal bars of U(t), one per class, on an axis fixed for the whole run (`range` spans
 * every step's values and 0) so that the bars visibly grow step by step.
 */
export function drawBars(canvas: HTMLCanvasElement, values: ArrayLike<number>, names: readonly string[], range: { lo: number; hi: number }, opts: { winner: number; label: number | null }): void {
  const { g, w, h } = context(canvas);
  const left = 96;
  const right = 52;
  const rowH = h / names.length;
  const lo = Math.min(0, range.lo);
  const hi = Math.max(0, range.hi);
  const x = (v: number): number => left + ((v - lo) / (hi - lo || 1)) * (w - left - right);
  const zero = x(0);
  g.strokeStyle = GRID;
  g.beginPath();
  g.moveTo(zero + 0.5, 0);
  g.lineTo(zero + 0.5, h);
  g.stroke();
  g.textBaseline = 'middle';
  for (let c = 0; c < names.length; c++) {
    const v = values[c]!;
    const y = c * rowH;
    const a = x(v);
    g.fillStyle = c === opts.winner ? PALETTE[0]! : '#cbd5e1';
    g.fillRect(Math.min(a, zero), y + 3, Math.abs(a - zero), rowH - 6);
    g.fillStyle = c === opts.label ? '#15803d' : INK;
    g.textAlign = 'right';
    g.fillText(`${c === opts.label ? '✓ ' : ''}${names[c]}`, left - 6, y + rowH / 2);
    g.textAlign = 'left';
    g.fillStyle = INK;
    g.fillText(v.toFixed(2), w - right + 6, y + rowH / 2);
  }
}

/**
 * Spike raster: `rows` neurons (indices into the layer) × T timesteps; steps after `shown`
 * are greyed out (not yet replayed).
 */
export function drawRaster(canvas: HTMLCanvasElement, spikes: Uint8Array, neurons: number, rows: readonly number[], T: number, shown: number): void {
  const { g, w, h } = context(canvas);
  const left = 18;
  const bottom = 16;
  const cw = (w - left) / T;
  const rh = (h - bottom) / Math.max(1, rows.length);
  for (let t = 0; t < T; t++) {
    g.fillStyle = t < shown ? '#f8fafc' : '#f1f5f9';
    g.fillRect(left + t * cw, 0, cw - 1, h - bottom);
    g.fillStyle = MUTED;
    g.textAlign = 'center';
    g.textBaseline = 'top';
    g.fillText(String(t + 1), left + (t + 0.5) * cw, h - bottom + 2);
  }
  g.fillStyle = INK;
  for (let r = 0; r < rows.length; r++) {
    for (let t = 0; t < shown; t++) {
      if (spikes[t * neurons + rows[r]!] === 1) g.fillRect(left + t * cw + 2, r * rh + 0.5, cw - 5, Math.max(1, rh - 1));
    }
  }
  g.save();
  g.translate(10, (h - bottom) / 2);
  g.rotate(-Math.PI / 2);
  g.fillStyle = MUTED;
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.fillText('neuron', 0, 0);
  g.restore();
}

/** U(t) of the output neurons over t = 0..T (U(0) = 0); `highlight` classes in colour, the rest grey. */
export function drawMembrane(canvas: HTMLCanvasElement, membrane: readonly Float32Array[], shown: number, highlight: readonly number[], names: readonly string[]): void {
  const { g, w, h } = context(canvas);
  const left = 40;
  const bottom = 18;
  const top = 8;
  const right = 110;
  const T = membrane.length;
  let lo = 0;
  let hi = 0;
  for (const row of membrane) {
    for (const v of row) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (hi === lo) hi = lo + 1;
  const x = (t: number): number => left + (t / T) * (w - left - right);
  const y = (v: number): number => top + (1 - (v - lo) / (hi - lo)) * (h - top - bottom);
  g.strokeStyle = GRID;
  g.fillStyle = MUTED;
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (const v of [lo, 0, hi]) {
    g.beginPath();
    g.moveTo(left, y(v) + 0.5);
    g.lineTo(w - right, y(v) + 0.5);
    g.stroke();
    g.fillText(v.toFixed(1), left - 4, y(v));
  }
  g.textAlign = 'center';
  g.textBaseline = 'top';
  for (let t = 0; t <= T; t++) g.fillText(String(t), x(t), h - bottom + 3);
  const classes = membrane[0]?.length ?? 0;
  const order = [...Array.from({ length: classes }, (_, c) => c).filter((c) => !highlight.includes(c)), ...[...highlight].reverse()];
  for (const c of order) {
    const k = highlight.indexOf(c);
    g.strokeStyle = k >= 0 ? PALETTE[k]! : '#d1d5db';
    g.lineWidth = k >= 0 ? 2.5 : 1;
    g.beginPath();
    g.moveTo(x(0), y(0));
    for (let t = 1; t <= shown; t++) g.lineTo(x(t), y(membrane[t - 1]![c]!));
    g.stroke();
  }
  g.lineWidth = 1;
  g.textAlign = 'left';
  g.textBaseline = 'middle';
  highlight.forEach((c, k) => {
    g.fillStyle = PALETTE[k]!;
    g.fillRect(w - right + 10, top + 6 + k * 18, 10, 10);
    g.fillStyle = INK;
    g.fillText(names[c]!, w - right + 24, top + 11 + k * 18);
  });
}

/**
 * One self-contained HTML page from a ReportBundle: Chart.js is inlined, the bundle and the
 * chart configurations are embedded as JSON, and nothing is fetched (it works offline from
 * disk). The chart data is computed here; the page's script only hands it to Chart.js.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ENERGY_PROFILES, METHOD_STEPS, type Method, type RunReport } from '@spikelite/schemas';
import type { ReportBundle } from './bundle.js';

export interface RenderOptions {
  /** Chart.js UMD source to inline (default: chart.js/dist/chart.umd.min.js of the installed package). */
  chartJs?: string;
}

let chartJsCache: string | undefined;

/** The installed Chart.js UMD build, without its source-map reference (a file the page cannot have). */
export function chartJsSource(): string {
  if (chartJsCache === undefined) {
    // The package's exports map hides dist/*.umd.*: resolve its main entry and look beside it.
    const main = createRequire(import.meta.url).resolve('chart.js');
    const text = readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
    chartJsCache = text.replace(/\n?\/\/# sourceMappingURL=\S*\s*$/, '\n');
  }
  return chartJsCache;
}

/** One Chart.js chart of the page: the canvas id and its (JSON-only) configuration. */
export interface ChartSpec {
  id: string;
  config: { type: string; data: unknown; options: Record<string, unknown> };
  /** Canvas box height in px (a default per section otherwise). */
  height?: number;
  /** Axes whose tick labels show integers only (the page adds the callback). */
  integerTicks?: string[];
  /** The x axis shows exactly these ticks (a raster's steps 0..T−1). */
  xTicks?: number[];
  /** The y axis shows only these ticks, labelled (the raster's layer names). */
  yLabels?: Array<{ value: number; label: string }>;
}

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#bab0ac'];
const LAYER_PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];
const ANN_COLOR = '#7f7f7f';

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** JSON for a <script type="application/json">: no '<' can end the element early. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

function rgba(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const stepsLabel = (method: string): 'T' | 'K' => METHOD_STEPS[method as Method] ?? 'T';
/** The ANN's own run (costed as itself): no steps, no spikes. */
const isAnnRun = (r: RunReport): boolean => METHOD_STEPS[r.method] === null;
export const runLabel = (r: RunReport): string => (isAnnRun(r) ? r.method : `${r.method} ${stepsLabel(r.method)}=${r.timesteps}`);

export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(2)} h`;
}

export function formatPj(pj: number): string {
  if (pj >= 1e6) return `${(pj / 1e6).toFixed(2)} µJ`;
  if (pj >= 1e3) return `${(pj / 1e3).toFixed(2)} nJ`;
  return `${pj.toFixed(1)} pJ`;
}

const formatRatio = (ratio: number): string => (ratio > 0 ? `${ratio.toFixed(2)}×` : '—');

/** Method → colour, in order of first appearance, so a method has one colour on every chart. */
function methodColors(b: ReportBundle): Map<string, string> {
  const colors = new Map<string, string>();
  for (const m of [...b.runs.map((r) => r.method), ...b.sweeps.map((s) => s.method), ...b.rasters.map((r) => r.method)]) {
    if (!colors.has(m)) colors.set(m, PALETTE[colors.size % PALETTE.length]!);
  }
  return colors;
}

const baseOptions = (title: string, subtitle?: string): Record<string, unknown> => ({
  animation: false,
  responsive: true,
  maintainAspectRatio: false,
  plugins: {
    title: { display: true, text: title, font: { size: 14 } },
    ...(subtitle !== undefined ? { subtitle: { display: true, text: subtitle, padding: { bottom: 8 } } } : {}),
    legend: { position: 'bottom' },
  },
});

/** Accuracy against T (or K): a line per sweep, each run as a point, the ANN as a dashed line. */
export function accuracyChart(b: ReportBundle, colors: Map<string, string>): ChartSpec | null {
  const datasets: Array<Record<string, unknown>> = [];
  const xs: number[] = [];
  for (const s of b.sweeps) {
    if (s.rows.length === 0) continue;
    const c = colors.get(s.method)!;
    const rows = [...s.rows].sort((p, q) => p.steps - q.steps);
    xs.push(...rows.map((r) => r.steps));
    datasets.push({
      label: `${s.method} sweep (${s.stepsLabel})`,
      data: rows.map((r) => ({ x: r.steps, y: r.accuracy * 100 })),
      showLine: true,
      borderColor: c,
      backgroundColor: c,
      pointRadius: 3,
    });
  }
  const byMethod = new Map<string, RunReport[]>();
  for (const r of b.runs) if (!isAnnRun(r)) byMethod.set(r.method, [...(byMethod.get(r.method) ?? []), r]);
  for (const [method, runs] of byMethod) {
    const c = colors.get(method)!;
    xs.push(...runs.map((r) => r.timesteps));
    datasets.push({
      label: `${method} run${runs.length > 1 ? 's' : ''}`,
      data: runs.map((r) => ({ x: r.timesteps, y: r.accuracy * 100 })),
      showLine: false,
      pointStyle: 'rectRot',
      pointRadius: 7,
      borderColor: c,
      backgroundColor: rgba(c, 0.6),
    });
  }
  if (datasets.length === 0) return null;
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  if (b.ann.accuracy !== null) {
    const y = b.ann.accuracy * 100;
    datasets.push({
      label: `ANN ${pct(b.ann.accuracy)}`,
      data: [{ x: lo, y }, { x: hi, y }],
      showLine: true,
      borderDash: [6, 4],
      borderColor: ANN_COLOR,
      backgroundColor: ANN_COLOR,
      pointRadius: 0,
    });
  }
  const log = hi / lo >= 16;
  return {
    id: 'chart-accuracy',
    config: {
      type: 'scatter',
      data: { datasets },
      options: {
        ...baseOptions('Test accuracy against timesteps', 'T: timesteps per image; K: steps per FS neuron (fs)'),
        scales: {
          x: { type: log ? 'logarithmic' : 'linear', title: { display: true, text: 'timesteps (T, or K for fs)' } },
          y: { title: { display: true, text: 'test accuracy (%)' } },
        },
      },
    },
    integerTicks: log ? [] : ['x'],
  };
}

/** Spike raster of one image: time on x, sampled neurons on y, one band (and colour) per layer. */
export function rasterChart(r: ReportBundle['rasters'][number], i: number): ChartSpec {
  const shown = r.layers.reduce((a, l) => a + l.shown, 0);
  const gap = Math.max(2, Math.round(shown * 0.05));
  const rows = Math.max(1, shown + gap * Math.max(0, r.layers.length - 1));
  const height = Math.round(Math.min(620, Math.max(260, rows * 2.4 + 150)));
  // Each spike is a short horizontal dash: wide enough to read a few steps as columns, one row thick.
  const dash = Math.min(28, Math.max(3, 300 / r.timesteps));
  const thick = Math.min(4, Math.max(2, (height - 150) / rows));
  let offset = 0;
  const yLabels: Array<{ value: number; label: string }> = [];
  const datasets = r.layers.map((l, li) => {
    const base = offset;
    offset += l.shown + gap;
    yLabels.push({ value: base + (l.shown - 1) / 2, label: l.name });
    const c = LAYER_PALETTE[li % LAYER_PALETTE.length]!;
    return {
      label: `${l.name}: ${l.shown} of ${l.neurons} neurons, ${l.events.length} events`,
      data: l.events.map(([t, row]) => ({ x: t, y: base + row })),
      showLine: false,
      pointStyle: 'line',
      pointRadius: dash,
      pointHoverRadius: dash,
      pointBorderWidth: thick,
      pointHoverBorderWidth: thick + 1,
      borderColor: c,
      backgroundColor: c,
    };
  });
  const ok = r.image.label === r.image.predicted;
  return {
    id: `chart-raster-${i}`,
    height,
    config: {
      type: 'scatter',
      data: { datasets },
      options: {
        ...baseOptions(
          `${r.method}: spikes of one image (label ${r.image.label}, predicted ${r.image.predicted}${ok ? '' : ', wrong'})`,
          'layers top to bottom; rows are sampled neurons (firing ones first)',
        ),
        scales: {
          x: { type: 'linear', min: -0.5, max: r.timesteps - 0.5, grid: { display: false }, title: { display: true, text: 'timestep t' } },
          y: { type: 'linear', reverse: true, min: -0.5, max: rows - 0.5, grid: { display: false }, title: { display: true, text: 'neuron (sampled rows)' } },
        },
      },
    },
    xTicks: Array.from({ length: r.timesteps }, (_, t) => t),
    yLabels,
  };
}

/** Spikes per neuron per timestep of each layer, grouped bars, one bar per (non-ANN) run. */
export function rateChart(b: ReportBundle, colors: Map<string, string>): ChartSpec | null {
  const runs = b.runs.filter((r) => !isAnnRun(r));
  if (runs.length === 0) return null;
  const layers: string[] = [];
  for (const r of runs) for (const l of r.spikes.perLayer) if (!layers.includes(l.layer)) layers.push(l.layer);
  const seen = new Map<string, number>();
  const datasets = runs.map((r) => {
    const k = seen.get(r.method) ?? 0;
    seen.set(r.method, k + 1);
    const c = colors.get(r.method)!;
    const byLayer = new Map(r.spikes.perLayer.map((l) => [l.layer, l.rate]));
    return {
      label: runLabel(r),
      data: layers.map((name) => byLayer.get(name) ?? null),
      backgroundColor: rgba(c, Math.max(0.35, 0.9 - 0.2 * k)),
      borderColor: c,
      borderWidth: 1,
    };
  });
  return {
    id: 'chart-rates',
    config: {
      type: 'bar',
      data: { labels: layers, datasets },
      options: {
        ...baseOptions('Spike rate per layer', 'spikes per neuron per timestep, averaged over the test images'),
        scales: { x: { title: { display: true, text: 'layer' } }, y: { beginAtZero: true, title: { display: true, text: 'spikes / neuron / step' } } },
      },
    },
  };
}

/** ANN pJ per layer of a run: MACs × the profile's MAC energy, or (custom profile) annPj shared by MACs. */
export function annLayerPj(r: RunReport): { pj: number[]; note: string | null } {
  const layers = r.energy.perLayer;
  const profile = (ENERGY_PROFILES as Record<string, { macPj: number } | undefined>)[r.energy.profile];
  if (profile !== undefined) {
    const pj = layers.map((l) => l.annMacs * profile.macPj);
    const sum = pj.reduce((a, x) => a + x, 0);
    const rest = r.energy.annPj - sum;
    const note = Math.abs(rest) > 1e-6 * Math.max(1, r.energy.annPj) ? `the ANN total also counts ${formatPj(rest)} outside these layers (pooling, neuron updates)` : null;
    return { pj, note };
  }
  const macs = layers.reduce((a, l) => a + l.annMacs, 0);
  return {
    pj: layers.map((l) => (macs > 0 ? (l.annMacs / macs) * r.energy.annPj : 0)),
    note: `profile '${r.energy.profile}' is not built in: ANN pJ per layer is the total annPj shared out by MACs`,
  };
}

/** Energy per layer of one run: ANN pJ against SNN pJ (log scale: layers differ by orders of magnitude). */
export function energyChart(r: RunReport, i: number, colors: Map<string, string>): ChartSpec {
  const { pj, note } = annLayerPj(r);
  const c = colors.get(r.method)!;
  const e = r.energy;
  const subtitle = [`${e.profile}: ANN ${formatPj(e.annPj)} vs SNN ${formatPj(e.snnPj)} per image, ANN/SNN ${formatRatio(e.ratio)}`, ...(note !== null ? [note] : [])];
  return {
    id: `chart-energy-${i}`,
    config: {
      type: 'bar',
      data: {
        labels: e.perLayer.map((l) => l.layer),
        datasets: [
          { label: 'ANN pJ', data: pj, backgroundColor: rgba(ANN_COLOR, 0.7), borderColor: ANN_COLOR, borderWidth: 1 },
          { label: `SNN pJ (${runLabel(r)})`, data: e.perLayer.map((l) => l.snnPj), backgroundColor: rgba(c, 0.75), borderColor: c, borderWidth: 1 },
        ],
      },
      options: {
        ...baseOptions(`Energy per layer: ${runLabel(r)} against the ANN`, subtitle.join(' · ')),
        scales: { x: { title: { display: true, text: 'weight layer' } }, y: { type: 'logarithmic', title: { display: true, text: 'pJ per image (log)' } } },
      },
    },
  };
}

function runsTable(b: ReportBundle): string {
  if (b.runs.length === 0) return '<p class="note">No runs in the inputs.</p>';
  const rows = b.runs.map((r) => {
    const cells = [
      escapeHtml(r.method),
      escapeHtml(r.command),
      `${stepsLabel(r.method) === 'K' ? 'K=' : ''}${r.timesteps}`,
      String(r.dataset.testSize),
      pct(r.accuracy),
      r.annAccuracy === null ? '—' : pct(r.annAccuracy),
      r.spikes.perNeuron.toFixed(3),
      `${formatRatio(r.energy.ratio)} <span class="dim">${escapeHtml(r.energy.profile)}</span>`,
      formatDuration(r.wallMs),
      escapeHtml(r.backend),
    ];
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  const head = ['method', 'command', 'T', 'test images', 'accuracy', 'ANN accuracy', 'spikes / neuron', 'energy ANN/SNN', 'wall time', 'backend'];
  return `<table class="runs"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function sweepTables(b: ReportBundle): string {
  return b.sweeps
    .map((s) => {
      const rows = s.rows
        .map((r) => `<tr><td>${r.steps}</td><td>${pct(r.accuracy)}</td><td>${r.spikesPerNeuron.toFixed(3)}</td><td>${formatRatio(r.energyRatio)}</td></tr>`)
        .join('');
      return `<details><summary>${escapeHtml(s.method)} sweep: ${s.rows.length} rows</summary><table><thead><tr><th>${s.stepsLabel}</th><th>accuracy</th><th>spikes / neuron</th><th>energy ANN/SNN</th></tr></thead><tbody>${rows}</tbody></table></details>`;
    })
    .join('');
}

const canvasBox = (id: string, height: number): string => `<div class="chart" style="height:${height}px"><canvas id="${id}"></canvas></div>`;

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;background:#f6f6f4}
main{max-width:1200px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555;margin:0 0 8px}.note,.dim{color:#777}.dim{font-size:12px}
table{border-collapse:collapse;background:#fff;margin:6px 0}th,td{padding:4px 10px;border-bottom:1px solid #e4e4e4;text-align:right}
th:first-child,td:first-child,th:nth-child(2),td:nth-child(2){text-align:left}th{background:#efefec;font-weight:600}
.chart{position:relative;background:#fff;border:1px solid #e0e0dc;border-radius:4px;padding:8px;margin:8px 0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:12px}
.raster{display:flex;gap:12px;align-items:flex-start}.raster .chart{flex:1}
.thumb{background:#fff;border:1px solid #e0e0dc;padding:8px;text-align:center;font-size:12px;color:#555}
.thumb canvas{width:112px;image-rendering:pixelated;display:block;margin:0 auto 4px}
details{margin:4px 0}summary{cursor:pointer;color:#335}`;

/** The page's script: build every chart from the embedded configurations, draw the input images. */
const PAGE_SCRIPT = `(function () {
  'use strict';
  var bundle = JSON.parse(document.getElementById('spikelite-bundle').textContent);
  var spec = JSON.parse(document.getElementById('spikelite-charts').textContent);
  var integer = function (v) { return Number.isInteger(v) ? String(v) : ''; };
  var charts = spec.charts.map(function (c) {
    (c.integerTicks || []).forEach(function (axis) {
      var scale = c.config.options.scales[axis];
      scale.ticks = Object.assign({}, scale.ticks, { callback: integer });
    });
    if (c.xTicks) {
      c.config.options.scales.x.afterBuildTicks = function (axis) { axis.ticks = c.xTicks.map(function (v) { return { value: v }; }); };
    }
    if (c.yLabels) {
      var names = new Map(c.yLabels.map(function (l) { return [l.value, l.label]; }));
      var y = c.config.options.scales.y;
      y.afterBuildTicks = function (axis) { axis.ticks = c.yLabels.map(function (l) { return { value: l.value }; }); };
      y.ticks = Object.assign({}, y.ticks, { autoSkip: false, callback: function (v) { return names.get(v) || ''; } });
    }
    return new Chart(document.getElementById(c.id), c.config);
  });
  bundle.rasters.forEach(function (r, i) {
    var im = r.image, C = im.channels || 1, n = im.width * im.height;
    var canvas = document.getElementById('raster-image-' + i);
    var ctx = canvas.getContext('2d');
    var data = ctx.createImageData(im.width, im.height);
    var lo = Math.min.apply(null, im.pixels), hi = Math.max.apply(null, im.pixels), span = hi > lo ? hi - lo : 1;
    for (var p = 0; p < n; p++) {
      for (var k = 0; k < 3; k++) data.data[4 * p + k] = Math.round(255 * (im.pixels[p * C + (C >= 3 ? k : 0)] - lo) / span);
      data.data[4 * p + 3] = 255;
    }
    ctx.putImageData(data, 0, 0);
  });
  window.spikeliteCharts = charts;
})();`;

/** The whole report page. Pure apart from reading Chart.js once (pass `chartJs` to avoid that). */
export function renderHtmlReport(bundle: ReportBundle, options: RenderOptions = {}): string {
  const colors = methodColors(bundle);
  const charts: ChartSpec[] = [];
  const sections: string[] = [];
  const d = bundle.dataset;

  sections.push(`<h2>Runs</h2>${runsTable(bundle)}`);

  const acc = accuracyChart(bundle, colors);
  if (acc !== null) charts.push(acc);
  sections.push(
    `<h2>Accuracy against timesteps</h2>${acc !== null ? canvasBox(acc.id, 380) : '<p class="note">No runs or sweeps to plot.</p>'}${sweepTables(bundle)}`,
  );

  const rasterHtml = bundle.rasters.map((r, i) => {
    const spec = rasterChart(r, i);
    charts.push(spec);
    const C = r.image.channels ?? 1;
    return `<div class="raster"><div class="thumb"><canvas id="raster-image-${i}" width="${r.image.width}" height="${r.image.height}"></canvas>label ${r.image.label}<br>predicted ${r.image.predicted}${C > 1 ? `<br>${C} channels` : ''}</div>${canvasBox(spec.id, spec.height ?? 400)}</div>`;
  });
  sections.push(
    `<h2>Spike rasters</h2>${rasterHtml.length > 0 ? `<p class="note">One test image per raster. FS neurons run their K steps inside one step: their (graded) spikes show at t = 0.</p>${rasterHtml.join('')}` : '<p class="note">No rasters in the inputs (a report bundle carries them; see README).</p>'}`,
  );

  const rates = rateChart(bundle, colors);
  if (rates !== null) charts.push(rates);
  sections.push(`<h2>Spike rate per layer</h2>${rates !== null ? canvasBox(rates.id, 360) : '<p class="note">No SNN runs.</p>'}`);

  const energyRuns = bundle.runs.map((r, i) => ({ r, i })).filter(({ r }) => !isAnnRun(r));
  const energyHtml = energyRuns.map(({ r, i }) => {
    const spec = energyChart(r, i, colors);
    charts.push(spec);
    return canvasBox(spec.id, 340);
  });
  sections.push(
    `<h2>Energy per layer against the ANN</h2>${energyHtml.length > 0 ? `<div class="grid">${energyHtml.join('')}</div>` : '<p class="note">No SNN runs.</p>'}`,
  );

  const ann = bundle.ann.accuracy === null ? 'ANN accuracy unknown' : `ANN ${pct(bundle.ann.accuracy)}`;
  const meta = `${escapeHtml(d.name)}: ${d.trainSize} train / ${d.testSize} test images · ${ann} (${escapeHtml(bundle.ann.source)}) · created ${escapeHtml(bundle.createdAt)}`;
  const chartJs = (options.chartJs ?? chartJsSource()).replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="spikelite report">
<title>${escapeHtml(bundle.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${escapeHtml(bundle.title)}</h1>
<p class="meta">${meta}</p>
${sections.join('\n')}
</main>
<script type="application/json" id="spikelite-bundle">${scriptJson(bundle)}</script>
<script type="application/json" id="spikelite-charts">${scriptJson({ charts })}</script>
<script>${chartJs}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

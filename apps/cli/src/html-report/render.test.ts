/**
 * The HTML report from real runs (fixtures/: a full DIET training RunReport, convert RunReports
 * and sweeps of the ONNX CNN, rasters recorded from those SNNs; see fixtures/make-fixtures.sh):
 * self-contained, data embedded, every chart present; then opened in a real browser (Debian's
 * chromium through playwright-core) to check that every chart draws.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RunReport } from '@spikelite/schemas';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleFromFiles, type ReportBundle } from './bundle.js';
import { annLayerPj, renderHtmlReport, type ChartSpec } from './render.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const FILES = ['rasters.json', 'fmnist-diet.json', 'convert-threshold-T8.json', 'convert-fs-K10.json', 'convert-threshold-sweep.json', 'convert-fs-sweep.json'];

/** fmnist-small (the DIET run's model): MACs per weight layer per image. */
const FMNIST_SMALL_MACS = [225_792, 3_612_672, 401_408, 1_280];

let bundle: ReportBundle;
let html: string;

const jsonScript = (page: string, id: string): unknown => {
  const m = new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`, 's').exec(page);
  if (m === null) throw new Error(`no <script id="${id}">`);
  return JSON.parse(m[1]!);
};
const chartsOf = (page: string): ChartSpec[] => (jsonScript(page, 'spikelite-charts') as { charts: ChartSpec[] }).charts;

beforeAll(async () => {
  bundle = await bundleFromFiles(FILES.map((f) => join(fixtures, f)), { createdAt: '2025-01-01T00:00:00.000Z' });
  html = renderHtmlReport(bundle);
});

describe('renderHtmlReport', () => {
  it('merges the inputs: rasters from the bundle, three runs, two sweeps (K for fs)', () => {
    expect(bundle.title).toBe('Fashion-MNIST: DIET-SNN, threshold and FS conversion');
    expect(bundle.runs.map((r) => `${r.method}/${r.timesteps}`)).toEqual(['diet/5', 'threshold/8', 'fs/10']);
    expect(bundle.sweeps.map((s) => `${s.method}/${s.stepsLabel}/${s.rows.map((r) => r.steps).join(',')}`)).toEqual(['threshold/T/2,4,8,16,32', 'fs/K/2,4,6,8,10']);
    expect(bundle.rasters.map((r) => r.method)).toEqual(['diet', 'threshold', 'fs']);
    // The rasters bundle has no ANN accuracy: the first input that has one (the DIET run) gives it.
    expect(bundle.ann).toEqual({ accuracy: 0.9033, source: 'annAccuracy of fmnist-diet.json' });
  });

  it('is self-contained: no src/href but # or data:, no stylesheet links, no source map', () => {
    const refs = [...html.matchAll(/\s(src|href)\s*=\s*["']?([^"'\s>]*)/gi)].map((m) => m[2]!);
    expect(refs.filter((r) => !r.startsWith('#') && !r.startsWith('data:'))).toEqual([]);
    expect(html).not.toMatch(/<link\b|@import|url\(\s*['"]?(https?:|\/\/)/i);
    expect(html).not.toMatch(/sourceMappingURL/);
    // Chart.js inlined (its UMD build sets window.Chart), not loaded.
    expect(html).toContain('Chart.js v4.6.1');
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script type="application/json" id="spikelite-bundle">', '<script type="application/json" id="spikelite-charts">', '<script>', '<script>']);
  });

  it('embeds the bundle and one chart per section, each with its canvas', () => {
    expect(jsonScript(html, 'spikelite-bundle')).toEqual(bundle);
    const charts = chartsOf(html);
    expect(charts.map((c) => c.id)).toEqual(['chart-accuracy', 'chart-raster-0', 'chart-raster-1', 'chart-raster-2', 'chart-rates', 'chart-energy-0', 'chart-energy-1', 'chart-energy-2']);
    for (const c of charts) expect(html).toContain(`<canvas id="${c.id}">`);
    for (const i of [0, 1, 2]) expect(html).toContain(`<canvas id="raster-image-${i}" width="28" height="28">`);
  });

  it('the table shows each run: method, T, accuracy, ANN accuracy, spikes, energy ratio, wall time', () => {
    const row = (i: number): string[] => [...html.matchAll(/<tr>(.*?)<\/tr>/g)][i + 1]![1]!.split('</td>').map((c) => c.replace(/<[^>]+>/g, ''));
    expect(row(0).slice(0, 9)).toEqual(['diet', 'train', '5', '10000', '89.95%', '90.33%', '0.731', '2.34× cmos45nm-fp32', '26.1 min']);
    expect(row(2).slice(0, 4)).toEqual(['fs', 'convert', 'K=10', '500']);
  });

  it('accuracy chart: a line per sweep, the runs as points, the ANN as a dashed line', () => {
    const acc = chartsOf(html)[0]!.config.data as { datasets: Array<{ label: string; data: Array<{ x: number; y: number }>; showLine: boolean }> };
    expect(acc.datasets.map((d) => d.label)).toEqual(['threshold sweep (T)', 'fs sweep (K)', 'diet run', 'threshold run', 'fs run', 'ANN 90.33%']);
    const fsSweep = bundle.sweeps[1]!;
    expect(acc.datasets[1]!.data).toEqual(fsSweep.rows.map((r) => ({ x: r.steps, y: r.accuracy * 100 })));
    expect(acc.datasets[2]!.data).toEqual([{ x: 5, y: bundle.runs[0]!.accuracy * 100 }]);
    // The ANN line spans the plotted steps, 2 to 32.
    expect(acc.datasets[5]!.data).toEqual([{ x: 2, y: 0.9033 * 100 }, { x: 32, y: 0.9033 * 100 }]);
  });

  it('raster chart: every event at its step, layers stacked top to bottom with a gap', () => {
    const spec = chartsOf(html)[2]!; // threshold, T = 8
    const r = bundle.rasters[1]!;
    const sets = (spec.config.data as { datasets: Array<{ data: Array<{ x: number; y: number }> }> }).datasets;
    expect(sets.map((d) => d.data.length)).toEqual(r.layers.map((l) => l.events.length));
    const gap = Math.max(2, Math.round(3 * 64 * 0.05));
    expect(sets[1]!.data[0]).toEqual({ x: r.layers[1]!.events[0]![0], y: 64 + gap + r.layers[1]!.events[0]![1] });
    expect(spec.xTicks).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(spec.yLabels!.map((l) => l.label)).toEqual(['layers.1', 'layers.4', 'layers.8']);
  });

  it('rate chart: spikes per neuron per step of each layer, one bar per run', () => {
    const rates = chartsOf(html)[4]!.config.data as { labels: string[]; datasets: Array<{ label: string; data: number[] }> };
    expect(rates.labels).toEqual(['layers.1', 'layers.4', 'layers.8']);
    expect(rates.datasets.map((d) => d.label)).toEqual(['diet T=5', 'threshold T=8', 'fs K=10']);
    expect(rates.datasets[0]!.data).toEqual(bundle.runs[0]!.spikes.perLayer.map((l) => l.spikesPerNeuron / 5));
  });

  it('energy chart: ANN pJ per layer is MACs × 4.6 pJ (cmos45nm-fp32); its sum is the run annPj', () => {
    const diet = bundle.runs[0]!;
    expect(diet.energy.perLayer.map((l) => l.annMacs)).toEqual(FMNIST_SMALL_MACS);
    const { pj, note } = annLayerPj(diet);
    expect(pj).toEqual(FMNIST_SMALL_MACS.map((m) => m * 4.6));
    expect(pj.reduce((a, x) => a + x, 0)).toBeCloseTo(diet.energy.annPj, 3);
    expect(note).toBeNull();
    const sets = (chartsOf(html)[5]!.config.data as { datasets: Array<{ data: number[] }> }).datasets;
    expect(sets[0]!.data).toEqual(pj);
    expect(sets[1]!.data).toEqual(diet.energy.perLayer.map((l) => l.snnPj));
  });

  it('a custom profile: ANN pJ shared out by MACs, and the chart says so', () => {
    const run: RunReport = { ...bundle.runs[0]!, energy: { ...bundle.runs[0]!.energy, profile: 'my-chip', annPj: 1000 } };
    const { pj, note } = annLayerPj(run);
    const total = FMNIST_SMALL_MACS.reduce((a, b) => a + b, 0);
    expect(pj).toEqual(FMNIST_SMALL_MACS.map((m) => (m / total) * 1000));
    expect(note).toMatch(/'my-chip' is not built in: ANN pJ per layer is the total annPj shared out by MACs/);
    const page = renderHtmlReport({ ...bundle, runs: [run] }, { chartJs: '' });
    const energy = chartsOf(page).find((c) => c.id === 'chart-energy-0')!;
    expect(JSON.stringify(energy.config.options)).toContain("'my-chip' is not built in");
  });

  it('escapes text: a title cannot close a tag or the embedded JSON', () => {
    const evil = '</script><script>alert(1)</script> & <b>';
    const page = renderHtmlReport({ ...bundle, title: evil }, { chartJs: '' });
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('<title>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;</title>');
    expect((jsonScript(page, 'spikelite-bundle') as ReportBundle).title).toBe(evil);
  });

  it('without runs, sweeps or rasters: notes instead of charts', () => {
    const page = renderHtmlReport({ ...bundle, runs: [], sweeps: [], rasters: [] }, { chartJs: '' });
    expect(chartsOf(page)).toEqual([]);
    expect(page).toContain('No runs or sweeps to plot.');
    expect(page).toContain('No rasters in the inputs');
  });
});

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const ci = process.env.CI === 'true';
if (!haveChromium && !ci) console.warn(`render.test: skipping the browser test: no chromium at ${CHROMIUM} (set CHROMIUM_PATH; with CI=true this fails)`);

describe('the report in a real browser', () => {
  it.skipIf(!haveChromium && !ci)('opens offline without errors; every chart is a Chart and draws its datasets', async () => {
    if (!haveChromium) throw new Error(`CI=true but no chromium at ${CHROMIUM}: install chromium or set CHROMIUM_PATH`);
    const file = join(mkdtempSync(join(tmpdir(), 'spikelite-report-')), 'report.html');
    writeFileSync(file, html);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('request', (r) => {
        if (r.url() !== pathToFileURL(file).href) requests.push(r.url());
      });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      const ids = chartsOf(html).map((c) => c.id);
      const result = await page.evaluate((chartIds: string[]) => {
        const rgb = (c: string): number[] => {
          if (c.startsWith('#')) return [1, 3, 5].map((i) => Number.parseInt(c.slice(i, i + 2), 16));
          return c.match(/[\d.]+/g)!.slice(0, 3).map(Number);
        };
        interface ChartLike {
          canvas: HTMLCanvasElement;
          currentDevicePixelRatio: number;
          chartArea: { left: number; right: number; top: number; bottom: number };
          data: { datasets: Array<{ label: string; borderColor: string; data: unknown[] }> };
        }
        const w = window as unknown as { Chart: { getChart(c: HTMLCanvasElement): ChartLike | undefined }; spikeliteCharts: unknown[] };
        const charts = chartIds.map((id) => {
          const canvas = document.getElementById(id) as HTMLCanvasElement;
          const chart = w.Chart.getChart(canvas)!;
          const ctx = canvas.getContext('2d')!;
          const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          let inked = 0;
          for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) inked++;
          // Each dataset with data must leave pixels of its own colour inside the plot area (not the legend).
          const dpr = chart.currentDevicePixelRatio;
          const a = chart.chartArea;
          const [x0, y0] = [Math.floor(a.left * dpr), Math.floor(a.top * dpr)];
          const area = ctx.getImageData(x0, y0, Math.ceil((a.right - a.left) * dpr), Math.ceil((a.bottom - a.top) * dpr)).data;
          const missing = chart.data.datasets
            .filter((d) => d.data.some((v) => v !== null && v !== 0))
            .filter((d) => {
              const [r, g, b] = rgb(d.borderColor);
              let hits = 0;
              for (let i = 0; i < area.length; i += 4) {
                if (area[i + 3]! > 0 && Math.abs(area[i]! - r!) <= 10 && Math.abs(area[i + 1]! - g!) <= 10 && Math.abs(area[i + 2]! - b!) <= 10) hits++;
              }
              return hits < 3;
            })
            .map((d) => d.label);
          return { id, isChart: chart !== undefined && chart.canvas === canvas, inked, total: canvas.width * canvas.height, missing };
        });
        const thumbs = Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas[id^="raster-image-"]')).map((c) => {
          const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          let lit = 0;
          for (let i = 0; i < px.length; i += 4) if (px[i]! > 0) lit++;
          return lit;
        });
        return { charts, thumbs, instances: w.spikeliteCharts.length };
      }, ids);
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
      expect(result.instances).toBe(ids.length);
      for (const c of result.charts) {
        expect(c.isChart, c.id).toBe(true);
        expect(c.inked, c.id).toBeGreaterThan(0.01 * c.total);
        expect(c.missing, c.id).toEqual([]);
      }
      // The sneaker (label 9) of test image 0: a good part of its 784 pixels are lit.
      expect(result.thumbs).toHaveLength(3);
      for (const lit of result.thumbs) expect(lit).toBeGreaterThan(100);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

/**
 * The demo in a real browser: build the page with Vite (to a temp dir), serve it with
 * `vite preview`, open it in headless chromium (playwright-core), run a drawn image and a
 * shipped test image, and check the page against the same model run in Node (wasm): the
 * predicted class and the energy ratio. Takes a screenshot and checks it is not blank.
 *
 * Chromium: $CHROMIUM_PATH or /usr/bin/chromium. Missing: the test fails under CI=true and
 * is skipped (with a message) otherwise. SPIKELITE_SCREENSHOT=1 refreshes apps/demo/screenshot.png.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { initEngine } from '@spikelite/engine';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSnn, decodePixels, energyOfTrace, parseDemoModel, parseSamples, traceImage, type LoadedSnn } from './model.js';

const demoDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const CI = process.env['CI'] === 'true' || process.env['CI'] === '1';
/** The shipped test image the screenshot shows (a sandal). */
const SAMPLE = 7;

/** Pixels of an 8-bit RGB/RGBA, non-interlaced PNG (what chromium writes), unfiltered. */
function decodePng(png: Buffer): { width: number; height: number; channels: number; data: Uint8Array } {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let off = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    const body = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colour, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      channels = colour === 6 ? 4 : colour === 2 ? 3 : 0;
      if (depth !== 8 || channels === 0 || interlace !== 0) throw new Error(`PNG: unsupported depth ${depth} / colour type ${colour} / interlace ${interlace}`);
    } else if (type === 'IDAT') idat.push(body);
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const data = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? data[y * stride + x - channels]! : 0;
      const b = y > 0 ? data[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? data[(y - 1) * stride + x - channels]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][filter];
      if (pred === undefined) throw new Error(`PNG: bad filter ${filter} on row ${y}`);
      data[y * stride + x] = (line[x]! + pred) & 0xff;
    }
  }
  return { width, height, channels, data };
}

/** Distinct colours and the standard deviation of luminance: a blank page has 1 and 0. */
function imageStats(img: ReturnType<typeof decodePng>): { colours: number; lumaStd: number } {
  const colours = new Set<number>();
  let s = 0;
  let s2 = 0;
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const o = i * img.channels;
    const [r, g, b] = [img.data[o]!, img.data[o + 1]!, img.data[o + 2]!];
    colours.add((r << 16) | (g << 8) | b);
    const l = 0.299 * r + 0.587 * g + 0.114 * b;
    s += l;
    s2 += l * l;
  }
  return { colours: colours.size, lumaStd: Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2)) };
}

if (!haveChromium && !CI) console.warn(`demo.browser.test: skipping the browser test: no chromium at ${CHROMIUM} (set CHROMIUM_PATH; with CI=true this fails)`);

describe.runIf(haveChromium || CI)('demo page in headless chromium', () => {
  let outDir = '';
  let server: PreviewServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let loaded: LoadedSnn;
  let url = '';

  beforeAll(async () => {
    if (!haveChromium) {
      throw new Error(`CHROMIUM_PATH: ${CHROMIUM} not found; CI=true needs chromium for the demo's browser test (Debian: apt-get install chromium, or set CHROMIUM_PATH)`);
    }
    outDir = mkdtempSync(join(tmpdir(), 'spikelite-demo-'));
    await build({ root: demoDir, configFile: join(demoDir, 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true } });
    server = await preview({ root: demoDir, configFile: join(demoDir, 'vite.config.ts'), logLevel: 'error', build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
    const address = server.httpServer.address() as AddressInfo;
    url = `http://127.0.0.1:${address.port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));

    // The Node side: the same committed assets, run by the same code on Node's wasm backend.
    await initEngine({ backend: 'wasm' });
    const pub = join(demoDir, 'public');
    const model = parseDemoModel(JSON.parse(readFileSync(join(pub, 'model.json'), 'utf8')));
    const bytes = readFileSync(join(pub, model.weightsFile));
    loaded = buildSnn(model, new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    loaded?.dispose();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  /** Click Run, wait for body[data-state=done], read what the page shows. */
  async function runOnPage(): Promise<{ prediction: number; ratio: number; runMs: number; maxSpikes: number; inputSpikes: number }> {
    await page.click('[data-testid=run]');
    await page.waitForSelector('body[data-state=done]', { timeout: 120_000 });
    const prediction = Number(await page.getAttribute('[data-testid=prediction]', 'data-class'));
    const ratio = Number(await page.getAttribute('[data-testid=energy]', 'data-ratio'));
    const runMs = Number(await page.getAttribute('[data-testid=run-ms]', 'data-ms'));
    const maxSpikes = Number(await page.getAttribute('[data-testid=max-spikes]', 'data-max'));
    const inputSpikes = Number(await page.getAttribute('[data-testid=input-spikes]', 'data-count'));
    return { prediction, ratio, runMs, maxSpikes, inputSpikes };
  }

  async function nodeRun(pixels: Uint8Array): Promise<{ prediction: number; ratio: number; maxSpikes: number; inputSpikes: number }> {
    const tr = await traceImage(loaded, pixels);
    return { prediction: tr.prediction, ratio: energyOfTrace(loaded, tr).energy.ratio, maxSpikes: Math.max(...tr.maxSpikesPerNeuron), inputSpikes: tr.inputSpikes };
  }

  it('loads, picks a backend, and runs a drawing and a test image as Node does', async () => {
    const t0 = performance.now();
    await page.goto(`${url}?delay=40`);
    await page.waitForSelector('body[data-state=ready]', { timeout: 120_000 });
    const loadMs = performance.now() - t0;
    const backend = (await page.textContent('[data-testid=backend]'))?.trim();
    const skipped = (await page.textContent('[data-testid=backend-skipped]'))?.trim();
    expect(['webgl', 'wasm', 'cpu']).toContain(backend);
    // Spike counts decide the energy; on wasm/cpu the page must match Node exactly, webgl's
    // float arithmetic may flip a spike near threshold.
    const tol = backend === 'webgl' ? 1e-2 : 1e-9;

    // 1. A drawing: two strokes down the canvas (trouser-like), then Clear, then again.
    const box = (await page.locator('[data-testid=input-canvas]').boundingBox())!;
    const strokes = async (): Promise<void> => {
      for (const fx of [0.38, 0.62]) {
        await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.12);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width * fx, box.y + box.height * 0.88, { steps: 20 });
        await page.mouse.up();
      }
    };
    await strokes();
    await page.click('[data-testid=clear]');
    expect((await page.evaluate(() => window.spikeliteDemo!.input())).every((v) => v === 0)).toBe(true);
    await strokes();
    const drawn = Uint8Array.from(await page.evaluate(() => window.spikeliteDemo!.input()));
    expect(drawn.filter((v) => v > 0).length).toBeGreaterThan(40);
    const first = await runOnPage();
    const firstNode = await nodeRun(drawn);
    expect(first.prediction).toBe(firstNode.prediction);
    expect(Math.abs(first.ratio / firstNode.ratio - 1)).toBeLessThanOrEqual(tol);
    // The input spikes the page counted from the drawing: its non-black pixels (hybrid input, T > 1).
    expect(first.inputSpikes).toBe(drawn.filter((v) => v > 0).length);
    expect(first.inputSpikes).toBe(firstNode.inputSpikes);
    // Single-spike neurons: the page shows that no hidden neuron fired twice.
    expect(first.maxSpikes).toBe(1);

    // 2. A shipped test image, after the warm-up run above.
    const samples = parseSamples(JSON.parse(readFileSync(join(demoDir, 'public', 'samples.json'), 'utf8')));
    await page.click(`[data-testid=sample-${SAMPLE}]`);
    const second = await runOnPage();
    const node = await nodeRun(decodePixels(samples[SAMPLE]!.pixels));
    expect(second.prediction).toBe(node.prediction);
    expect(second.prediction).toBe(samples[SAMPLE]!.label);
    expect(second.ratio).toBeGreaterThan(1);
    expect(Math.abs(second.ratio / node.ratio - 1)).toBeLessThanOrEqual(tol);
    expect(second.maxSpikes).toBe(node.maxSpikes);
    expect(second.maxSpikes).toBe(1);
    expect(second.inputSpikes).toBe(node.inputSpikes);
    expect(await page.textContent('[data-testid=max-spikes]')).toContain('Max spikes of one hidden neuron on this image: 1');
    const shown = Number(await page.textContent('[data-testid=energy-ratio]'));
    expect(shown).toBeCloseTo(node.ratio, 3);
    expect(await page.isHidden('[data-testid=error]')).toBe(true);
    const timings: Record<string, unknown> = { backend, skipped, loadMs: Math.round(loadMs), firstRunMs: Math.round(first.runMs), warmRunMs: Math.round(second.runMs) };

    // 3. The fallbacks, forced: exact agreement with Node (same float32 kernels as Node's).
    for (const forced of ['wasm', 'cpu']) {
      await page.goto(`${url}?delay=0&backend=${forced}`);
      await page.waitForSelector('body[data-state=ready]', { timeout: 120_000 });
      expect((await page.textContent('[data-testid=backend]'))?.trim()).toBe(forced);
      await page.click(`[data-testid=sample-${SAMPLE}]`);
      const r = await runOnPage();
      expect(r.prediction).toBe(node.prediction);
      expect(Math.abs(r.ratio / node.ratio - 1)).toBeLessThanOrEqual(1e-9);
      expect(r.maxSpikes).toBe(1);
      timings[`${forced}FirstRunMs`] = Math.round(r.runMs);
    }
    console.log(JSON.stringify({ ...timings, prediction: second.prediction, ratio: second.ratio, nodeRatio: node.ratio }));

    // 4. The screenshot (replay at the default speed, so it shows a finished run).
    await page.goto(url);
    await page.waitForSelector('body[data-state=ready]', { timeout: 120_000 });
    await page.click(`[data-testid=sample-${SAMPLE}]`);
    await runOnPage();
    const png = await page.screenshot({ fullPage: true });
    const stats = imageStats(decodePng(png));
    // Blank or a bare error page: a handful of colours, little contrast. The page has grey
    // images, coloured bars and lines, rasters and anti-aliased text.
    console.log(JSON.stringify({ screenshot: stats }));
    expect(stats.colours).toBeGreaterThan(200);
    expect(stats.lumaStd).toBeGreaterThan(20);
    const shot = join(outDir, 'screenshot.png');
    writeFileSync(shot, png);
    const committed = join(demoDir, 'screenshot.png');
    if (process.env['SPIKELITE_SCREENSHOT'] === '1' || !existsSync(committed)) copyFileSync(shot, committed);
  }, 240_000);
});

describe('decodePng', () => {
  it('reads back a PNG written with every filter type', async () => {
    const { deflateSync } = await import('node:zlib');
    // 3×2 RGB, row 0 filter 1 (sub), row 1 filter 4 (paeth); hand-filtered bytes.
    const rows = [
      [1, 10, 20, 30, 5, 5, 5, 250, 0, 0],
      [4, 1, 1, 1, 0, 0, 0, 7, 7, 7],
    ];
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(3, 0);
    ihdr.writeUInt32BE(2, 4);
    ihdr.set([8, 2, 0, 0, 0], 8);
    const chunk = (type: string, body: Buffer): Buffer => {
      const b = Buffer.alloc(12 + body.length);
      b.writeUInt32BE(body.length, 0);
      b.write(type, 4, 'latin1');
      body.copy(b, 8);
      return b; // CRC not checked by decodePng
    };
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from(rows.flat()))), chunk('IEND', Buffer.alloc(0))]);
    const img = decodePng(png);
    // Row 0 (sub): 10,20,30 | 15,25,35 | 265→9,25,35. Row 1 (paeth, up-left/up/left known).
    expect([...img.data.subarray(0, 9)]).toEqual([10, 20, 30, 15, 25, 35, 9, 25, 35]);
    // x=0: paeth(a=0, b=up, c=0) = up → 11,21,31; x=1: a=11, b=15, c=10 → p=16 → b=15 → 15,25,35 (+0);
    // x=2: a=(15,25,35), b=(9,25,35), c=(15,25,35) → p=(9,25,35) → b → 16,32,42.
    expect([...img.data.subarray(9, 18)]).toEqual([11, 21, 31, 15, 25, 35, 16, 32, 42]);
    expect(imageStats(img).colours).toBe(5);
  });
});

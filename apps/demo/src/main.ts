/**
 * The demo page: load the converted SNN (public/model.json + weights), let the user pick a
 * shipped test image or draw one, run it once through the SNN recording every spike and U(t),
 * then replay the run step by step (bars, raster, membrane) and show its energy against the ANN.
 * `body[data-state]` is loading → ready → running → done (or error), for the browser test.
 */
import { formatCount } from '@spikelite/energy';
import type { EnergyAccount } from '@spikelite/energy';
import { DEFAULT_ENERGY_PROFILE, imageInput } from '@spikelite/schemas';
import { chooseBackend } from './backend.js';
import { drawBars, drawImage, drawMembrane, drawRaster } from './charts.js';
import { buildSnn, decodePixels, energyOfTrace, parseDemoModel, parseSamples, traceImage, type LoadedSnn, type Sample, type SnnTrace } from './model.js';

declare global {
  interface Window {
    /** For the browser test: the 28×28 pixels the next run will use. */
    spikeliteDemo?: { input(): number[] };
  }
}

const SIDE = 28;
const RASTER_ROWS = 48;
const params = new URLSearchParams(location.search);
/** Replay delay per timestep (ms); ?delay=0 for no animation. */
const STEP_MS = Math.max(0, Number(params.get('delay') ?? 250) || 0);

const $ = <T extends HTMLElement>(sel: string): T => {
  const el = document.querySelector<T>(sel);
  if (el === null) throw new Error(`index.html: no element ${sel}`);
  return el;
};
const setState = (s: 'loading' | 'ready' | 'running' | 'done' | 'error'): void => {
  document.body.dataset['state'] = s;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const input = new Uint8Array(SIDE * SIDE);
let inputLabel: number | null = null;
let loaded: LoadedSnn;
let samples: Sample[] = [];
let runs = 0;
const rasterCanvases: HTMLCanvasElement[] = [];
const rasterCaptions: HTMLElement[] = [];

function fmtPj(pj: number): string {
  if (pj >= 1e6) return `${(pj / 1e6).toFixed(2)} µJ`;
  if (pj >= 1e3) return `${(pj / 1e3).toFixed(2)} nJ`;
  return `${pj.toFixed(1)} pJ`;
}
const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** A deterministic shuffle key, so the same image shows the same sampled neurons. */
function hash(i: number, seed: number): number {
  let h = Math.imul(i ^ seed, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  return (h ^ (h >>> 13)) >>> 0;
}

/** Up to RASTER_ROWS neurons of a layer that fired at least once, a fixed random sample, in index order. */
function rasterRows(spikes: Uint8Array, neurons: number, T: number, layer: number): { rows: number[]; fired: number } {
  const fired: number[] = [];
  for (let n = 0; n < neurons; n++) {
    for (let t = 0; t < T; t++) {
      if (spikes[t * neurons + n] === 1) {
        fired.push(n);
        break;
      }
    }
  }
  const rows = fired
    .map((n) => [hash(n, layer + 1), n] as const)
    .sort((a, b) => a[0] - b[0])
    .slice(0, RASTER_ROWS)
    .map(([, n]) => n)
    .sort((a, b) => a - b);
  return { rows, fired: fired.length };
}

function showInput(): void {
  drawImage($<HTMLCanvasElement>('#draw'), input, SIDE);
}

function selectSample(i: number): void {
  const s = samples[i]!;
  input.set(decodePixels(s.pixels));
  inputLabel = s.label;
  document.querySelectorAll('.samples button').forEach((b, k) => b.classList.toggle('selected', k === i));
  $('#input-label').textContent = `Test image #${s.index}: ${loaded.model.classNames[s.label]}`;
  showInput();
}

function setupDrawing(): void {
  const canvas = $<HTMLCanvasElement>('#draw');
  let drawing = false;
  const paint = (ev: PointerEvent): void => {
    const r = canvas.getBoundingClientRect();
    const gx = ((ev.clientX - r.left) / r.width) * SIDE;
    const gy = ((ev.clientY - r.top) / r.height) * SIDE;
    // A soft round brush about three pixels wide, like the dataset's anti-aliased strokes.
    for (let y = Math.floor(gy - 3); y <= gy + 3; y++) {
      for (let x = Math.floor(gx - 3); x <= gx + 3; x++) {
        if (x < 0 || y < 0 || x >= SIDE || y >= SIDE) continue;
        const d = Math.hypot(x + 0.5 - gx, y + 0.5 - gy);
        const v = Math.round(255 * Math.min(1, Math.max(0, 2.2 - d)));
        if (v > input[y * SIDE + x]!) input[y * SIDE + x] = v;
      }
    }
    showInput();
  };
  canvas.addEventListener('pointerdown', (ev) => {
    drawing = true;
    canvas.setPointerCapture(ev.pointerId);
    if (inputLabel !== null) {
      inputLabel = null;
      document.querySelectorAll('.samples button').forEach((b) => b.classList.remove('selected'));
      $('#input-label').textContent = 'Your drawing (a sample edited counts as a drawing).';
    }
    paint(ev);
  });
  canvas.addEventListener('pointermove', (ev) => drawing && paint(ev));
  canvas.addEventListener('pointerup', () => (drawing = false));
  $('#clear').addEventListener('click', () => {
    input.fill(0);
    inputLabel = null;
    document.querySelectorAll('.samples button').forEach((b) => b.classList.remove('selected'));
    $('#input-label').textContent = 'Draw a piece of clothing, white on black.';
    showInput();
  });
}

function setupSamples(): void {
  const box = $('#samples');
  samples.forEach((s, i) => {
    const b = document.createElement('button');
    b.dataset['testid'] = `sample-${i}`;
    b.title = `#${s.index}: ${loaded.model.classNames[s.label]}${s.snnPrediction !== s.label ? ` (the SNN says ${loaded.model.classNames[s.snnPrediction]})` : ''}`;
    if (s.snnPrediction !== s.label) b.classList.add('wrong');
    const c = document.createElement('canvas');
    c.width = 40;
    c.height = 40;
    b.append(c);
    box.append(b);
    drawImage(c, decodePixels(s.pixels), SIDE);
    b.addEventListener('click', () => selectSample(i));
  });
}

/** 'IF' / 'single-spike LIF' for a neuron kind. */
function neuronName(kind: string): string {
  return kind === 'singleSpikeLif' ? 'single-spike LIF' : kind === 'if' ? 'IF' : kind === 'lif' ? 'LIF' : kind;
}

const singleSpike = (): boolean => loaded.model.neurons.every((n) => n.kind === 'singleSpikeLif');

function setupRasters(): void {
  const box = $('#rasters');
  const acts = loaded.net.graph.activations;
  loaded.model.layers.forEach((l, i) => {
    const fig = document.createElement('figure');
    const c = document.createElement('canvas');
    c.width = 170;
    c.height = 200;
    c.dataset['testid'] = `raster-${i}`;
    const cap = document.createElement('figcaption');
    const theta = l.threshold === null ? '' : `, θ = ${l.threshold.toPrecision(3)}`;
    cap.textContent = `Hidden layer ${i + 1}: ${acts[i]!.input.join('×')} = ${l.neurons.toLocaleString('en')} ${neuronName(l.neuron)} neurons${theta}`;
    const stats = document.createElement('figcaption');
    fig.append(c, cap, stats);
    box.append(fig);
    rasterCanvases.push(c);
    rasterCaptions.push(stats);
    drawRaster(c, new Uint8Array(0), l.neurons, [], loaded.model.timesteps, 0);
  });
}

function renderStep(tr: SnnTrace, shown: number, rows: Array<{ rows: number[]; fired: number }>, range: { lo: number; hi: number }): void {
  const names = loaded.model.classNames;
  const t = Math.max(1, shown);
  const u = tr.membrane[t - 1]!;
  const winner = tr.predictionByStep[t - 1]!;
  $('#step').textContent = `after t = ${shown} of ${tr.timesteps} timesteps`;
  const pred = $('#prediction');
  pred.textContent = names[winner]!;
  drawBars($<HTMLCanvasElement>('#bars'), u, names, range, { winner, label: inputLabel });
  const final = tr.membrane[tr.timesteps - 1]!;
  const top = Array.from(final, (v, c) => [v, c] as const).sort((a, b) => b[0] - a[0]).slice(0, 3).map(([, c]) => c);
  drawMembrane($<HTMLCanvasElement>('#membrane'), tr.membrane, shown, top, names);
  tr.spikes.forEach((s, l) => {
    const n = loaded.model.layers[l]!.neurons;
    drawRaster(rasterCanvases[l]!, s, n, rows[l]!.rows, tr.timesteps, shown);
    const sofar = tr.counts[l]!.slice(0, shown).reduce((a, v) => a + v, 0);
    rasterCaptions[l]!.textContent = `${rows[l]!.fired.toLocaleString('en')} of them fire on this image; ${rows[l]!.rows.length} of those shown (random). Spikes so far: ${sofar.toLocaleString('en')} (${(sofar / n).toFixed(3)} per neuron).`;
  });
  const input = tr.inputByStep.map((v, k) => (loaded.snn.encoder.isAnalog(k) ? null : v));
  const sent = input.slice(0, shown).reduce<number>((a, v) => a + (v ?? 0), 0);
  const enc = loaded.model.encoding;
  $('#input-steps').textContent =
    enc.kind === 'direct'
      ? `Input: the analog image at every step (direct input).`
      : `Input: the analog image at t = 1, then one spike per non-black pixel, brighter ones earlier (${input.map((v, k) => (v === null ? null : `t = ${k + 1}: ${v}`)).filter((v) => v !== null).join(', ')}); ${sent} of ${tr.inputSpikes} sent so far.`;
}

/** 'conv 3×3 → 16' / 'linear → 128' for a weight layer's path ('layers.3'). */
function layerLabel(path: string): string {
  const node = loaded.net.graph.weightLayers.find((n) => n.path === path);
  if (node === undefined) return path;
  if (node.op === 'linear') return `linear → ${node.layer.units}`;
  const k = node.layer.kernelSize;
  return `conv ${typeof k === 'number' ? `${k}×${k}` : k.join('×')} → ${node.layer.filters}`;
}

function firstLayerText(tr: SnnTrace): string {
  const a = loaded.model.energyInput.analogSteps;
  if (loaded.model.encoding.kind === 'direct') return `the first layer gets the analog image at every step (${a} × its MACs)`;
  const { height, width, channels } = imageInput(loaded.model.spec.input, 'the demo model');
  const px = height * width * channels;
  return `the first layer gets the analog image ${a === 1 ? 'once' : `${a} times`} (${a} × its MACs), then <span data-testid="input-spikes" data-count="${tr.inputSpikes}">${tr.inputSpikes}</span> input spikes, one per non-black pixel (${(tr.inputSpikes / px).toFixed(3)} per pixel, ACs)`;
}

function renderEnergy(account: EnergyAccount, tr: SnnTrace): void {
  const e = account.energy;
  const box = $('#energy');
  box.dataset['ratio'] = String(e.ratio);
  box.dataset['annPj'] = String(e.annPj);
  box.dataset['snnPj'] = String(e.snnPj);
  const totalSpikes = tr.counts.flat().reduce((a, v) => a + v, 0);
  const neurons = loaded.model.layers.reduce((a, l) => a + l.neurons, 0);
  const scale = Math.max(e.annPj, e.snnPj);
  const verdict = e.ratio >= 1 ? `the SNN needs ${pct(1 / e.ratio)} of the ANN's compute energy` : `the SNN needs MORE than the ANN (${(1 / e.ratio).toFixed(2)}×)`;
  const p = DEFAULT_ENERGY_PROFILE;
  const rows = e.perLayer
    .map((l) => `<tr><td>${layerLabel(l.layer)}</td><td>${formatCount(l.annMacs)}</td><td>${formatCount(l.snnAcs)}</td><td>${formatCount(l.snnMacs)}</td><td>${fmtPj(l.snnPj)}</td></tr>`)
    .join('');
  box.innerHTML = `
    <p class="headline">ANN / SNN = <span data-testid="energy-ratio">${e.ratio.toFixed(3)}</span>× <span class="muted">(${verdict})</span></p>
    <table>
      <tr><td>ANN</td><td style="width:240px"><div class="bar ann" style="width:${(100 * e.annPj) / scale}%"></div></td><td>${fmtPj(e.annPj)}</td></tr>
      <tr><td>SNN</td><td><div class="bar" style="width:${(100 * e.snnPj) / scale}%"></div></td><td>${fmtPj(e.snnPj)}</td></tr>
    </table>
    <table>
      <tr><th>weight layer</th><th>ANN MACs</th><th>SNN ACs</th><th>SNN MACs</th><th>SNN energy</th></tr>${rows}
    </table>
    <p class="muted">${totalSpikes.toLocaleString('en')} spikes in ${tr.timesteps} steps = ${(totalSpikes / neurons).toFixed(3)} per hidden neuron
      (1,000 test images: ${loaded.model.evaluation.spikesPerNeuron.toFixed(3)} on average, energy ratio ${loaded.model.evaluation.energyRatio.toFixed(2)}×).
      Profile ${e.profile}: MAC ${p.macPj} pJ, AC ${p.acPj} pJ. A spike costs one AC per synapse it reaches
      (after a max pool: the spikes leaving it, an OR of each window); ${firstLayerText(tr)}.
      Not in the ratio: neuron updates (ANN ${fmtPj(account.neuronUpdates?.annPj ?? 0)}, SNN ${fmtPj(account.neuronUpdates?.snnPj ?? 0)})
      and pooling (ANN ${fmtPj(account.pooling.annPj)}, SNN ${fmtPj(account.pooling.snnPj)}); with them: ${account.total.ratio.toFixed(3)}×.</p>`;
}

async function run(): Promise<void> {
  const button = $<HTMLButtonElement>('#run');
  button.disabled = true;
  setState('running');
  try {
    const tr = await traceImage(loaded, input);
    const account = energyOfTrace(loaded, tr);
    runs++;
    const cold = runs === 1 ? ' (first run: includes compiling the kernels)' : '';
    $('#run-ms').textContent = `Forward pass (${tr.timesteps} timesteps) and read-back: ${tr.runMs.toFixed(0)} ms on ${$('[data-testid=backend]').textContent}${cold}; replayed at ${STEP_MS} ms per step.`;
    $('#run-ms').dataset['ms'] = String(tr.runMs);
    const rows = tr.spikes.map((s, l) => rasterRows(s, loaded.model.layers[l]!.neurons, tr.timesteps, l));
    const most = Math.max(...tr.maxSpikesPerNeuron);
    const maxEl = $('#max-spikes');
    maxEl.dataset['max'] = String(most);
    maxEl.innerHTML = `Max spikes of one hidden neuron on this image: <strong>${most}</strong> (per layer ${tr.maxSpikesPerNeuron.join(', ')})${singleSpike() ? ': single-spike neurons, each fires at most once' : ''}.`;
    let lo = 0;
    let hi = 0;
    for (const row of tr.membrane) {
      for (const v of row) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    $('#energy').innerHTML = '<p class="muted">…</p>';
    $('#prediction-note').textContent = '';
    for (let t = 1; t <= tr.timesteps; t++) {
      renderStep(tr, t, rows, { lo, hi });
      if (STEP_MS > 0) await sleep(STEP_MS);
    }
    const pred = $('#prediction');
    pred.dataset['class'] = String(tr.prediction);
    const names = loaded.model.classNames;
    $('#prediction-note').textContent = inputLabel === null ? '' : inputLabel === tr.prediction ? '✓ correct' : `✗ it is a ${names[inputLabel]}`;
    renderEnergy(account, tr);
    setState('done');
  } catch (e) {
    showError(e);
  } finally {
    button.disabled = false;
  }
}

function showError(e: unknown): void {
  const el = $('[data-testid=error]');
  el.hidden = false;
  el.textContent = e instanceof Error ? e.message : String(e);
  setState('error');
  console.error(e);
}

async function fetchOk(name: string): Promise<Response> {
  const res = await fetch(`${import.meta.env.BASE_URL}${name}`);
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
  return res;
}

async function start(): Promise<void> {
  const choice = await chooseBackend(params.get('backend'));
  $('[data-testid=backend]').textContent = choice.backend;
  if (choice.skipped.length > 0) $('[data-testid=backend-skipped]').textContent = `(${choice.skipped.map((s) => `${s.backend} unavailable: ${s.reason}`).join('; ')})`;
  const model = parseDemoModel(await (await fetchOk('model.json')).json());
  const weights = new Float32Array(await (await fetchOk(model.weightsFile)).arrayBuffer());
  samples = parseSamples(await (await fetchOk('samples.json')).json());
  loaded = buildSnn(model, weights);
  const ev = model.evaluation;
  const recipe = model.provenance['recipe'] as { kind?: string; scale?: number; finetuneEpochs?: number } | undefined;
  $('[data-testid=model-info]').textContent = `${model.spec.name ?? 'model'} as an SNN (${neuronName(model.neurons[0]?.kind ?? '')} neurons, ${model.encoding.kind} input), T = ${model.timesteps}: ${pct(ev.accuracy)} on ${ev.images.toLocaleString('en')} test images (ANN ${pct(ev.annAccuracy)}), ${ev.spikesPerNeuron.toFixed(3)} spikes per neuron, energy ANN/SNN ${ev.energyRatio.toFixed(2)}×`;
  const how =
    model.encoding.kind === 'hybrid'
      ? `converted to single-spike LIF neurons with hybrid input by the hybrid recipe (T = ${model.timesteps}, thresholds × ${recipe?.scale ?? 1} from ${String(model.provenance['calibration'])}, then fine-tuned with the spike-time + membrane loss: ${String(model.provenance['finetune'])})`
      : `converted to IF neurons by threshold balancing (T = ${model.timesteps}, thresholds × ${recipe?.scale ?? 1}, ${String(model.provenance['calibration'])})`;
  $('#footer').textContent = `Model: ${String(model.provenance['onnx'])} (a PyTorch CNN, ONNX) ${how}. Made by ${String(model.provenance['script'])}. Energy: @spikelite/energy from this image's measured spikes.`;
  window.spikeliteDemo = { input: () => Array.from(input) };
  setupSamples();
  setupRasters();
  setupDrawing();
  $('#run').addEventListener('click', () => void run());
  selectSample(0);
  $<HTMLButtonElement>('#run').disabled = false;
  setState('ready');
}

start().catch(showError);

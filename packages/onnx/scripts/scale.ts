/**
 * Scale check (issue 13): import a full-size ONNX classifier (ResNet-18 at 224×224) and convert
 * it with the fs recipe on 64 calibration images; prints wall times and the process's peak
 * memory (maxRSS) as JSON. Run under `/usr/bin/time -v` for the OS's own peak figure.
 *
 *     cd packages/onnx && npx tsx --conditions source scripts/scale.ts /work/models/zoo-full/resnet18-opset13.onnx
 */
import * as tf from '@tensorflow/tfjs-core';
import { convert } from '@spikelite/conversion';
import { initEngine } from '@spikelite/engine';
import { importOnnx, networkFromImport } from '../src/index.js';

const file = process.argv[2]!;
const calib = Number(process.argv[3] ?? 64);
const t0 = performance.now();
const engine = await initEngine({ backend: 'wasm' });
const imported = importOnnx(file);
const tImport = performance.now();
const input = imported.spec.input as { channels: number; height: number; width: number };
const net = networkFromImport(imported);
const { height: h, width: w, channels: c } = input;
const images = tf.tensor4d(Float32Array.from({ length: calib * h * w * c }, (_, i) => 0.5 + 0.5 * Math.sin(i * 12.9898)), [calib, h, w, c]);
const r = await convert(net, { kind: 'fs' }, { calibrationImages: images });
const tConvert = performance.now();
// The SNN on 8 of the images, beside the ANN.
const x = tf.slice(images, [0, 0, 0, 0], [8, -1, -1, -1]);
const ann = tf.tidy(() => net.forwardAnn(x, { release: true }).argMax(-1).dataSync());
const out = r.snn.forward(x, { release: true });
const snn = out.logits.argMax(-1).dataSync();
const tRun = performance.now();
console.log(JSON.stringify({
  model: file, backend: engine.backend, layers: imported.spec.layers.length, calibrationImages: calib,
  importMs: Math.round(tImport - t0), convertMs: Math.round(tConvert - tImport), snnRunMsFor8: Math.round(tRun - tConvert),
  totalMs: Math.round(tRun - t0), top1AgreementOn8: Array.from(snn).filter((v, i) => v === ann[i]).length / 8,
  maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
}));

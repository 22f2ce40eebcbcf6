import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import { importOnnx, networkFromImport } from '@spikelite/onnx';
import { convert } from '@spikelite/conversion';
await initEngine({ backend: 'wasm' });
const file = process.argv[2]!;
const imp = importOnnx(file, { inputShape: [3, 32, 32] });
const net = networkFromImport(imp);
const x = tf.tensor4d(Float32Array.from({ length: 16 * 3 * 32 * 32 }, (_, i) => 0.5 + 0.5 * Math.sin(i * 12.9898)), [16, 32, 32, 3]);
const fit = process.argv[3] ?? 'samples';
const r = await convert(net, { kind: 'fs', fit } as any, { calibrationImages: x, log: (m) => { if (/FS coeff|fitted/.test(m)) console.log(m.slice(0, 160)); } });
// per-layer: compare ANN activation outputs vs SNN layer outputs
const annActs: Float32Array[] = [];
net.forwardAnn(x, { onActivation: (_n, out) => annActs.push(out.dataSync() as Float32Array) });
const snnActs: Float32Array[] = [];
r.snn.forward(x, { onSpikes: (_l, _t, s) => snnActs.push(s.dataSync() as Float32Array) });
annActs.forEach((a, i) => {
  const b = snnActs[i]!; let num = 0, den = 0; a.forEach((v, j) => { num += (v - b[j]!) ** 2; den += v * v; });
  console.log(i, r.info.layers[i]!.activation, 'relerr', Math.sqrt(num / Math.max(den, 1e-12)).toFixed(3), r.info.stats[i]!.min.toFixed(1), r.info.stats[i]!.max.toFixed(1));
});

import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import { importOnnx, networkFromImport } from '@spikelite/onnx';
import { convert } from '@spikelite/conversion';
await initEngine({ backend: 'wasm' });
const dir = '../../tooling/zoo/fixtures';
const manifest = JSON.parse(readFileSync(`${dir}/manifest.json`, 'utf8'));
const only = process.argv[2];
const recipes = (process.argv[3] ?? 'fs,threshold').split(',');
for (const [family, m] of Object.entries<any>(manifest)) {
  if (only && only !== 'all' && !family.includes(only)) continue;
  const imp = importOnnx(`${dir}/${m.file}`, m.dynamicHW ? { inputShape: m.input } : {});
  const net = networkFromImport(imp);
  const [c, h, w] = m.input;
  const x = tf.tensor4d(Float32Array.from({ length: 16 * c * h * w }, (_, i) => 0.5 + 0.5 * Math.sin(i * 12.9898)), [16, h, w, c]);
  const ann = net.forwardAnn(x);
  const annTop = ann.argMax(-1).dataSync();
  for (const recipe of recipes) {
    const t0 = performance.now();
    try {
      const r = await convert(net, recipe === 'fs' ? { kind: 'fs' } : { kind: 'threshold', timesteps: 32 } as any, { calibrationImages: x });
      const out = r.snn.forward(x, { release: true });
      const top = out.logits.argMax(-1).dataSync();
      const agree = Array.from(top).filter((v, i) => v === annTop[i]).length / 16;
      const a = ann.dataSync(), b = tf.div(out.logits, recipe === 'fs' ? 1 : 32).dataSync();
      let num = 0, den = 0; a.forEach((v, i) => { num += (v - b[i]!) ** 2; den += v * v; });
      console.log(`${family.padEnd(20)} ${recipe.padEnd(9)} top1-agree ${agree.toFixed(2)} relerr ${Math.sqrt(num / den).toFixed(3)} ${((performance.now() - t0) / 1000).toFixed(1)}s`);
      r.dispose();
    } catch (e) {
      console.log(`${family.padEnd(20)} ${recipe.padEnd(9)} ERROR ${(e as Error).message.slice(0, 300)}`);
    }
  }
  net.dispose();
}

import { writeFileSync } from 'node:fs';
import { createEncoder } from '@spikelite/encoding';
import { initEngine } from '@spikelite/engine';
import { Network, presetSpec, SnnModel } from '@spikelite/models';
import { checkSnnParity, exportSnnToOnnx, SnnOnnxSession } from '@spikelite/onnx';
import { NeuronSpec, parseWith } from '@spikelite/schemas';

export async function exportExample(file: string) {
  await initEngine();
  // Any SnnModel: here the fmnist-small preset with LIF neurons, T = 5, direct input.
  const net = Network.create(presetSpec('fmnist-small'), { seed: 1 });
  const snn = new SnnModel(net, {
    timesteps: 5,
    neuron: parseWith(NeuronSpec, { kind: 'lif', leak: 0.9, threshold: 0.05 }, 'neuron'), // defaults filled in
    encoder: createEncoder({ kind: 'direct' }, { timesteps: 5 }),
  });

  const bytes = exportSnnToOnnx(snn); // ModelProto bytes, opset 17
  writeFileSync(file, bytes);

  // Run it in onnxruntime: NCHW images in, logits [N, 10] and spikes [N, 3] out.
  const images = Float32Array.from({ length: 8 * 784 }, (_, i) => (i % 97) / 96);
  const session = await SnnOnnxSession.create(bytes);
  const { logits, spikes } = await session.run(images, [8, 1, 28, 28]);
  await session.release();
  console.log(logits.slice(0, 10), spikes?.slice(0, 3));

  // The same images through snn.forward: logits and per-image spike counts compared.
  const parity = await checkSnnParity(snn, bytes, { data: images, shape: [8, 1, 28, 28] });
  console.log(parity.relativeDiff, parity.spikes.differing, parity.spikes.total, parity.ok);
  snn.dispose();
  net.dispose();
  return { bytes: bytes.length, logits, spikes, parity };
}

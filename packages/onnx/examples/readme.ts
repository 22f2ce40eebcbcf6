import { readFileSync } from 'node:fs';
import { initEngine } from '@spikelite/engine';
import { checkParity, formatSummary, forwardImported, importOnnx, networkFromImport, summarizeImport } from '@spikelite/onnx';

// Paths from the repository root: the shipped PyTorch CNN and 16 Fashion-MNIST test images.
export async function readmeExample() {
  await initEngine({ backend: 'cpu' });
  const path = 'tooling/fixtures/onnx/fmnist-cnn-bn.onnx';

  // spec: a validated ModelSpec (NHWC); weights: Float32Arrays named like Network.create names them.
  const imported = importOnnx(path);
  const summary = summarizeImport(imported);
  console.log(formatSummary(summary)); // per layer: kind, output shape, parameters, MACs
  console.log(imported.report.folded); // the BatchNorms folded into their convs

  // The images as the ONNX model takes them: NCHW [16, 1, 28, 28], pixel / 255.
  const images = Float32Array.from(readFileSync('tooling/fixtures/onnx/fmnist-test-16.u8'), (p) => p / 255);

  // A spikelite Network with the imported weights (ANN forward, or SnnModel for conversion).
  const net = networkFromImport(imported);
  const logits = forwardImported(net, imported, images, [16, 1, 28, 28]); // [16, 10], row-major
  net.dispose();

  // The same images through onnxruntime and spikelite (transposed to NHWC internally).
  const parity = await checkParity(path, { data: images, shape: [16, 1, 28, 28] }, { imported });
  console.log(parity.maxAbsDiff, parity.outputRange, parity.relativeDiff, parity.ok);
  return { summary, folded: imported.report.folded, logits, parity };
}

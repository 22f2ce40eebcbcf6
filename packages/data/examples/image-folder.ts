import { createRng } from '@spikelite/engine';
import { loadDataset } from '@spikelite/data';
import { folderBatches, openImageDataset } from '@spikelite/data/folder';

export async function main(dir: string): Promise<{ test: number; batches: number }> {
  // In memory, through the same entry point as `--data`: a bounded pick of each split.
  const ds = await loadDataset(`folder:${dir}`, {
    limitTest: 500,
    images: {
      preprocess: 'imagenet', // Resize(256) → CenterCrop(224) → ToTensor → Normalize
      classes: 10, // the model's classes: a label beyond them fails, naming the folder
      onError: 'stop', // a corrupt image stops the run (the default); 'skip' warns and goes on
      onProgress: ({ split, done, total }) => {
        if (done % 250 === 0 || done === total) console.error(`${split}: ${done}/${total} images`);
      },
    },
  });
  console.log(ds.test.count, ds.test.height, ds.test.width, ds.test.channels); // 500 224 224 3

  // Streaming, for folders too large for memory: batches decoded on demand, in a seeded
  // order, with seeded augmentation (add cacheDir to keep decoded images on disk).
  const data = await openImageDataset(`folder:${dir}`, {
    preprocess: {
      steps: [
        { kind: 'randomResizedCrop', size: 224 },
        { kind: 'randomHorizontalFlip' },
        { kind: 'toTensor' },
        { kind: 'normalize', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
      ],
    },
  });
  const rng = createRng(42);
  let batches = 0;
  for await (const batch of folderBatches(data.train, { batchSize: 64, shuffle: rng, epoch: 0, augmentSeed: 42 })) {
    // batch.images: Float32Array [batch.size, 224, 224, 3]; batch.labels: Int32Array
    if (batch.size > 0) batches++;
    if (batches === 2) break;
  }
  return { test: ds.test.count, batches };
}

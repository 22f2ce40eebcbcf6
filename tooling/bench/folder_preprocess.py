#!/usr/bin/python3
"""Twin of packages/data/src/bench/folder.ts: decode + ImageNet preprocessing throughput of
PIL + torchvision on the same JPEG files, one process, one image at a time (as a DataLoader
with num_workers=0). Prints one JSON document.

  /usr/bin/python3 folder_preprocess.py DIR [--make N] [--reps R]

--make N first writes N synthetic 500x375 JPEGs (quality 90) into DIR if it holds fewer.
"""
import json
import os
import sys
import time

import numpy as np
import PIL
import torch
import torchvision
import torchvision.transforms as T
from PIL import Image


def make(dir, n):
    os.makedirs(dir, exist_ok=True)
    have = [f for f in os.listdir(dir) if f.endswith('.jpg')]
    if len(have) >= n:
        return
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:375, 0:500].astype(np.float64)
    for i in range(n):
        # Smooth gradients, a few discs and noise: photo-like JPEG sizes (~30-60 KB).
        img = np.stack([(x * (0.3 + 0.2 * c) + y * (0.2 + 0.1 * c) + 40 * i) % 256 for c in range(3)], -1)
        for _ in range(4):
            cx, cy, r = rng.uniform(0, 500), rng.uniform(0, 375), rng.uniform(20, 120)
            img[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = rng.uniform(0, 255, 3)
        img = np.clip(img + rng.normal(0, 8, img.shape), 0, 255).astype(np.uint8)
        Image.fromarray(img, 'RGB').save(os.path.join(dir, f'{i:05d}.jpg'), quality=90)


def rate(files, fn, reps):
    best = 0.0
    for _ in range(reps):
        t0 = time.perf_counter()
        for f in files:
            fn(f)
        best = max(best, len(files) / (time.perf_counter() - t0))
    return best


def main():
    args = sys.argv[1:]
    dir = args[0]
    if '--make' in args:
        make(dir, int(args[args.index('--make') + 1]))
    reps = int(args[args.index('--reps') + 1]) if '--reps' in args else 3
    files = sorted(os.path.join(dir, f) for f in os.listdir(dir) if f.endswith('.jpg'))
    torch.set_num_threads(1)
    tf = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])

    def load(f):
        with open(f, 'rb') as fh:
            return Image.open(fh).convert('RGB')  # torchvision.datasets.folder.pil_loader

    rate(files[:20], lambda f: tf(load(f)), 1)  # warm-up
    print(json.dumps({
        'runner': 'PIL + torchvision',
        'versions': {'pillow': PIL.__version__, 'torchvision': torchvision.__version__, 'torch': torch.__version__},
        'images': len(files),
        'decodeImagesPerS': round(rate(files, load, reps), 1),
        'decodePreprocessImagesPerS': round(rate(files, lambda f: tf(load(f)), reps), 1),
    }))


if __name__ == '__main__':
    main()

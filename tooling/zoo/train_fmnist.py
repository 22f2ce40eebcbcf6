#!/usr/bin/python3
"""Train torchvision's ResNet-18 (1-channel stem, 10 classes) and MobileNetV2 (width 0.5, 1-channel
stem, 10 classes) on Debian's full Fashion-MNIST and export them to ONNX, for issue 13's
"trained real architectures" table.

Inputs are 28x28 images scaled to [0, 1] and normalised with the Fashion-MNIST mean/std
(0.2860, 0.3530), as torchvision users do: spikelite must be told `--mean 0.286 --std 0.353`.
The architectures are torchvision's own (`torchvision.models.resnet18`, `mobilenet_v2`), with only
the first conv made 1-channel; nothing else changes (the ResNet stem keeps its stride-2 7x7 conv and
padded 3x3 max pool, so a 28x28 image reaches layer4 at 1x1).

Training: SGD (momentum 0.9, nesterov, weight decay 5e-4), batch 128, cosine lr from 0.05, random
horizontal flips and 2-pixel random crops, seed 0. The files are too large to commit (ResNet-18 is
45 MB); they are written to OUT (default /work/models) with a JSON of their test accuracies.

    /usr/bin/python3 tooling/zoo/train_fmnist.py [resnet18|mobilenet_v2] [epochs] [OUT]
"""
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

DATA = '/usr/share/datasets/fashion-mnist'
MEAN, STD = 0.2860, 0.3530


def read_idx(name):
    with gzip.open(os.path.join(DATA, name), 'rb') as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], 'big') for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def tensors(split):
    x = read_idx(f'{split}-images-idx3-ubyte.gz')
    y = read_idx(f'{split}-labels-idx1-ubyte.gz')
    x = (torch.from_numpy(x.astype(np.float32) / 255.0).unsqueeze(1) - MEAN) / STD
    return x, torch.from_numpy(y.astype(np.int64))


def build(name):
    if name == 'resnet18':
        m = torchvision.models.resnet18(num_classes=10)
        m.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    elif name == 'mobilenet_v2':
        m = torchvision.models.mobilenet_v2(num_classes=10, width_mult=0.5)
        old = m.features[0][0]
        m.features[0][0] = nn.Conv2d(1, old.out_channels, kernel_size=3, stride=2, padding=1, bias=False)
    else:
        raise SystemExit(f'unknown model {name}')
    return m


def augment(x, g):
    flip = torch.rand(x.shape[0], generator=g) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    pad = F.pad(x, (2, 2, 2, 2), value=-MEAN / STD)
    dx, dy = torch.randint(0, 5, (2,), generator=g).tolist()
    return pad[:, :, dy:dy + 28, dx:dx + 28]


def accuracy(m, x, y):
    m.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            correct += (m(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item()
    return correct / len(x)


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else 'resnet18'
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    out = sys.argv[3] if len(sys.argv) > 3 else '/work/models'
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(int(os.environ.get('THREADS', '2')))
    g = torch.Generator().manual_seed(0)
    xtr, ytr = tensors('train')
    xte, yte = tensors('t10k')
    m = build(name)
    opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    steps = epochs * (len(xtr) // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=steps, pct_start=0.15)
    t0 = time.time()
    for epoch in range(epochs):
        m.train()
        perm = torch.randperm(len(xtr), generator=g)
        for i in range(0, len(xtr) - 127, 128):
            idx = perm[i:i + 128]
            loss = F.cross_entropy(m(augment(xtr[idx], g)), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        acc = accuracy(m, xte, yte)
        print(f'{name} epoch {epoch + 1}/{epochs}: loss {loss.item():.3f} test {acc:.4f} ({time.time() - t0:.0f} s)', flush=True)
    torch.save(m.state_dict(), os.path.join(out, f'fmnist-{name}.pt'))
    m.eval()
    path = os.path.join(out, f'fmnist-{name}.onnx')
    torch.onnx.export(m, torch.zeros(1, 1, 28, 28), path, opset_version=13, input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'N'}, 'logits': {0: 'N'}})
    info_path = os.path.join(out, 'fmnist-models.json')
    info = json.load(open(info_path)) if os.path.exists(info_path) else {}
    info[name] = {'onnx': os.path.basename(path), 'testAccuracy': acc, 'epochs': epochs, 'mean': MEAN, 'std': STD,
                  'trainSeconds': round(time.time() - t0)}
    json.dump(info, open(info_path, 'w'), indent=2)
    print(json.dumps(info[name]))


if __name__ == '__main__':
    main()

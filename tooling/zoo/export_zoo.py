#!/usr/bin/python3
"""Export every torchvision 0.14 CNN classifier family to ONNX for spikelite's importer tests.

Two sets:
  --small  width-reduced variants (every channel count divided by K through the layer
           constructors, so each architecture is torchvision's own code at a fraction of the
           width), 10 classes, 32x32 inputs (224 for VGG and AlexNet, whose adaptive pools need
           it; 75 for Inception v3): committed to tooling/zoo/fixtures/ as CI fixtures (<= 2 MB).
           The opset and constant folding vary across the files so that CI covers opsets 11-17
           with and without folding.
  --full   the real architectures at 224x224 (299 for Inception v3), 1000 classes, into OUT
           (default /work/models/zoo); with --matrix, every opset 11-17 with and without
           constant folding. Too large to commit: the zoo runner (run.ts) reports their parity.

Weights are random (seed 0); BatchNorm scales and shifts are random, and their running
statistics come from four forward passes in training mode on random images, so every BatchNorm
is non-trivial while activations stay in range.

    /usr/bin/python3 tooling/zoo/export_zoo.py --small
    /usr/bin/python3 tooling/zoo/export_zoo.py --small --matrix OUT   (every opset 11-17 x folding)
    /usr/bin/python3 tooling/zoo/export_zoo.py --full [--matrix] [OUT]
"""
import contextlib
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torchvision.models as tvm

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(int(os.environ.get('THREADS', '1')))

# family -> (builder name, small input size, width divisor K for the small variant)
FAMILIES = {
    'resnet18': ('resnet18', 32, 8),
    'resnet50': ('resnet50', 32, 16),
    'resnext50_32x4d': ('resnext50_32x4d', 32, 16),
    'wide_resnet50_2': ('wide_resnet50_2', 32, 32),
    'vgg11': ('vgg11', 224, 32),
    'vgg16_bn': ('vgg16_bn', 224, 32),
    'alexnet': ('alexnet', 224, 32),
    'squeezenet1_0': ('squeezenet1_0', 64, 4),
    'squeezenet1_1': ('squeezenet1_1', 64, 4),
    'densenet121': ('densenet121', 32, 8),
    'googlenet': ('googlenet', 64, 8),
    'inception_v3': ('inception_v3', 75, 16),
    'mobilenet_v2': ('mobilenet_v2', 32, 4),
    'mobilenet_v3_small': ('mobilenet_v3_small', 32, 4),
    'mobilenet_v3_large': ('mobilenet_v3_large', 32, 4),
    'mnasnet0_5': ('mnasnet0_5', 32, 4),
    'shufflenet_v2_x0_5': ('shufflenet_v2_x0_5', 32, 4),
    'efficientnet_b0': ('efficientnet_b0', 32, 4),
    'efficientnet_v2_s': ('efficientnet_v2_s', 32, 8),
    'regnet_x_400mf': ('regnet_x_400mf', 32, 4),
    'regnet_y_400mf': ('regnet_y_400mf', 32, 4),
}
OPSETS = [11, 12, 13, 14, 15, 16, 17]


@contextlib.contextmanager
def narrow(k, classes):
    """Divide every channel count by k while torchvision's constructors run (image input kept)."""
    conv_init, bn_init, lin_init = nn.Conv2d.__init__, nn.BatchNorm2d.__init__, nn.Linear.__init__
    scale = lambda c: c if c <= 3 else max(1, c // k)

    def take(args, kw, i, name):
        return args.pop(i) if len(args) > i else kw.pop(name)

    def conv(self, *args, **kw):
        args = list(args)
        cin, cout = take(args, kw, 0, 'in_channels'), take(args, kw, 0, 'out_channels')
        groups = kw.pop('groups', args.pop(4) if len(args) > 4 else 1)
        nin, nout = scale(cin), scale(cout)
        g = nin if groups == cin and groups > 1 else math.gcd(math.gcd(nin, nout), groups)
        conv_init(self, nin, nout, *args, groups=g, **kw)

    def bn(self, *args, **kw):
        args = list(args)
        bn_init(self, scale(take(args, kw, 0, 'num_features')), *args, **kw)

    def lin(self, *args, **kw):
        args = list(args)
        fin, fout = take(args, kw, 0, 'in_features'), take(args, kw, 0, 'out_features')
        lin_init(self, scale(fin), fout if fout == classes else scale(fout), *args, **kw)

    nn.Conv2d.__init__, nn.BatchNorm2d.__init__, nn.Linear.__init__ = conv, bn, lin
    try:
        yield
    finally:
        nn.Conv2d.__init__, nn.BatchNorm2d.__init__, nn.Linear.__init__ = conv_init, bn_init, lin_init


def build(name, classes, k):
    kwargs = {'num_classes': classes}
    if name in ('googlenet', 'inception_v3'):
        kwargs.update(aux_logits=False, init_weights=True)
    if name == 'googlenet':
        kwargs['transform_input'] = False
    ctx = narrow(k, classes) if k > 1 else contextlib.nullcontext()
    with ctx:
        return getattr(tvm, name)(**kwargs)


def randomise(model, size, seed):
    """Non-trivial BatchNorm: random scales and shifts, then statistics measured on random images
    (so each BatchNorm's output is about N(shift, scale²) and deep random nets stay in range)."""
    g = torch.Generator().manual_seed(seed)
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for m in bns:
            m.weight.copy_(0.5 + torch.rand(m.weight.shape, generator=g))
            m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=g))
            m.momentum = None  # running statistics: the cumulative average over the passes
            m.reset_running_stats()
        model.train()
        for _ in range(4):
            model(torch.rand(8, 3, size, size, generator=g))
    model.eval()


def export(model, size, path, opset, fold, dynamic_hw=False):
    x = torch.rand(1, 3, size, size)
    axes = {'input': {0: 'N', 2: 'H', 3: 'W'} if dynamic_hw else {0: 'N'}, 'logits': {0: 'N'}}
    torch.onnx.export(model, x, path, opset_version=opset, do_constant_folding=fold, input_names=['input'],
                      output_names=['logits'], dynamic_axes=axes)


def small(out=None):
    """The committed fixtures (one opset/folding each), or with OUT every opset x folding."""
    matrix = out is not None
    out = out or os.path.join(HERE, 'fixtures')
    os.makedirs(out, exist_ok=True)
    manifest = {}
    for i, (family, (name, size, k)) in enumerate(FAMILIES.items()):
        torch.manual_seed(i)
        model = build(name, 10, k)
        randomise(model, size, i)
        variants = [(o, f) for o in OPSETS for f in (True, False)] if matrix else [(OPSETS[i % len(OPSETS)], i % 3 != 2)]
        for opset, fold in variants:
            dynamic_hw = not matrix and family in ('mobilenet_v3_small', 'efficientnet_b0')
            file = f'{family}-opset{opset}{"" if fold else "-nofold"}.onnx' if matrix else f'{family}.onnx'
            path = os.path.join(out, file)
            export(model, size, path, opset, fold, dynamic_hw)
            mb = os.path.getsize(path) / 1e6
            params = sum(p.numel() for p in model.parameters())
            manifest[file if matrix else family] = {
                'file': file, 'family': family, 'torchvision': name, 'widthDivisor': k, 'input': [3, size, size], 'classes': 10,
                'opset': opset, 'constantFolding': fold, 'dynamicHW': dynamic_hw, 'params': params, 'megabytes': round(mb, 3)}
            print(f'{file:34s} {size}px {params:>9,d} params {mb:.2f} MB', flush=True)
            assert matrix or mb <= 2.0, f'{family} is {mb:.2f} MB'
    with open(os.path.join(out, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=2)


def full(out, matrix):
    os.makedirs(out, exist_ok=True)
    manifest = {}
    for i, (family, (name, _, _)) in enumerate(FAMILIES.items()):
        size = 299 if family == 'inception_v3' else 224
        torch.manual_seed(i)
        model = build(name, 1000, 1)
        randomise(model, size, i)
        variants = [(o, f) for o in OPSETS for f in (True, False)] if matrix else [(13, True)]
        for opset, fold in variants:
            file = f'{family}-opset{opset}{"" if fold else "-nofold"}.onnx'
            export(model, size, os.path.join(out, file), opset, fold)
            manifest[file] = {'family': family, 'input': [3, size, size], 'classes': 1000, 'opset': opset, 'constantFolding': fold}
            print(file, flush=True)
    with open(os.path.join(out, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=2)


if __name__ == '__main__':
    if '--small' in sys.argv:
        rest = [a for a in sys.argv[1:] if not a.startswith('--')]
        small(rest[0] if '--matrix' in sys.argv else None)
    elif '--full' in sys.argv:
        rest = [a for a in sys.argv[1:] if not a.startswith('--')]
        full(rest[0] if rest else '/work/models/zoo', '--matrix' in sys.argv)
    else:
        print(__doc__)

#!/usr/bin/env python3
"""PyTorch (CPU) twin of @spikelite/engine's `conv2-train-step` and `conv-grad-kernels`
benchmarks (packages/engine/src/bench/main.ts), so the two can be compared side by side.

Needs Debian's python3-torch; run with /usr/bin/python3 torch_conv_step.py [threads].
Prints one JSON line per workload with the same field names as the engine benchmark.
"""
import json, sys, time
import torch
import torch.nn.functional as F

THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 1
torch.set_num_threads(THREADS)
torch.manual_seed(0)
ENGINE = f'torch-{torch.__version__}-cpu'


def timed(fn, reps):
    fn()
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t0) / reps * 1000


def conv_train_step(steps=5):
    B = 32
    w1 = (torch.randn(32, 1, 3, 3) * (2 / 9) ** 0.5).requires_grad_()
    w2 = (torch.randn(64, 32, 3, 3) * (2 / (9 * 32)) ** 0.5).requires_grad_()
    w3 = (torch.randn(10, 7 * 7 * 64) * 0.01).requires_grad_()
    x = torch.randn(B, 1, 28, 28)
    y = torch.arange(B) % 10
    opt = torch.optim.Adam([w1, w2, w3], 1e-3)

    def step():
        opt.zero_grad()
        h = F.avg_pool2d(F.relu(F.conv2d(x, w1, padding=1)), 2)
        h = F.avg_pool2d(F.relu(F.conv2d(h, w2, padding=1)), 2)
        loss = F.cross_entropy(F.linear(h.flatten(1), w3), y)
        loss.backward()
        opt.step()

    ms = timed(step, steps)
    print(json.dumps({'workload': 'conv2-train-step', 'engine': ENGINE, 'threads': THREADS,
                      'batch': B, 'train_ms_per_step': round(ms, 1), 'steps': steps}))


def conv_grad_kernels(reps=3):
    x = torch.randn(32, 64, 32, 32)
    w = torch.randn(64, 64, 3, 3) * 0.05
    dy = torch.randn(32, 64, 32, 32)
    fwd = timed(lambda: F.conv2d(x, w, padding=1), reps)
    dx = timed(lambda: torch.nn.grad.conv2d_input(x.shape, w, dy, padding=1), reps)
    dw = timed(lambda: torch.nn.grad.conv2d_weight(x, w.shape, dy, padding=1), reps)
    print(json.dumps({'workload': 'conv-grad-kernels', 'engine': ENGINE, 'threads': THREADS,
                      'shape': '32x32x32x64->64 3x3', 'fwd_ms': round(fwd, 1), 'dx_ms': round(dx, 1),
                      'dw_ms': round(dw, 1)}))


if __name__ == '__main__':
    conv_train_step()
    conv_grad_kernels()

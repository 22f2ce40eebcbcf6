#!/usr/bin/python3
"""ONNX files in the idioms of exporters other than PyTorch, built node by node with onnx.helper
(paddle2onnx and tf2onnx cannot be installed here: no PyPI). Random weights, seed 0.

paddle-mobilenetv3-style.onnx  (what paddle2onnx writes for a MobileNetV3-style classifier)
  opset 9; every weight in a Constant node; input [N, 3, H, W] with dynamic H and W;
  BatchNormalization left unfolded after each conv; Clip with min/max attributes (opset 9);
  hard-swish as x * Clip(x + 3, 0, 6) / 6 (Add, Clip, Mul, Div with constants); a depthwise
  conv; squeeze-and-excitation with GlobalAveragePool, 1x1 convs, Relu, HardSigmoid (paddle's
  slope 0.2, offset 0.5) and a gating Mul; a residual Add; flatten through
  Shape/Gather/Slice/Cast/Concat/Reshape; MatMul + Add; a final Softmax.
tf2onnx-style.onnx  (what tf2onnx writes for a Keras CNN)
  opset 13; NHWC input [N, 32, 32, 3] transposed to NCHW by the first node; an explicit Pad
  before a VALID conv (TensorFlow's SAME); BatchNorm as Mul and Add with broadcast constants;
  ReLU6 as Clip with min/max inputs; a depthwise conv; HardSwish as x * HardSigmoid(x) with
  alpha 1/6; AveragePool; GlobalAveragePool; Squeeze; Gemm; a final Softmax.

    /usr/bin/python3 tooling/zoo/make_thirdparty.py
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(0)


class G:
    def __init__(self, prefix, const_nodes):
        self.nodes, self.inits, self.k, self.prefix, self.const_nodes = [], [], 0, prefix, const_nodes

    def name(self, hint):
        self.k += 1
        return f'{self.prefix}{hint}_{self.k}'

    def const(self, arr, hint='c'):
        n = self.name(hint)
        t = numpy_helper.from_array(np.asarray(arr), n)
        if self.const_nodes:
            self.nodes.append(helper.make_node('Constant', [], [n], name=n + '_const', value=t))
        else:
            self.inits.append(t)
        return n

    def op(self, op, inputs, hint=None, **attrs):
        out = self.name(hint or op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], name=out + '_node', **attrs))
        return out

    def conv(self, x, cin, cout, k, stride=1, pad=None, group=1, bias=True):
        w = self.const((rng.standard_normal((cout, cin // group, k, k)) * np.sqrt(2 / (cin // group * k * k))).astype(np.float32), 'w')
        ins = [x, w] + ([self.const((0.1 * rng.standard_normal(cout)).astype(np.float32), 'b')] if bias else [])
        p = k // 2 if pad is None else pad
        return self.op('Conv', ins, 'conv', kernel_shape=[k, k], strides=[stride, stride], pads=[p] * 4, group=group)

    def bn(self, x, c):
        s = self.const((0.5 + rng.random(c)).astype(np.float32), 'gamma')
        b = self.const((0.1 * rng.standard_normal(c)).astype(np.float32), 'beta')
        m = self.const((0.1 * rng.standard_normal(c)).astype(np.float32), 'mean')
        v = self.const((0.5 + rng.random(c)).astype(np.float32), 'var')
        return self.op('BatchNormalization', [x, s, b, m, v], 'bn', epsilon=1e-5)


def paddle():
    g = G('p_', const_nodes=True)
    scalar = lambda v: g.const(np.array(v, dtype=np.float32))

    def hswish(x):
        t = g.op('Add', [x, scalar(3.0)])
        t = g.op('Clip', [t], min=0.0, max=6.0)
        t = g.op('Mul', [x, t])
        return g.op('Div', [t, scalar(6.0)])

    x = 'image'
    h = hswish(g.bn(g.conv(x, 3, 8, 3, stride=2, bias=False), 8))
    # Inverted residual with SE: expand, depthwise, SE, project, residual add.
    e = g.op('Clip', [g.bn(g.conv(h, 8, 16, 1, bias=False), 16)], min=0.0, max=6.0)
    d = hswish(g.bn(g.conv(e, 16, 16, 3, group=16, bias=False), 16))
    s = g.op('GlobalAveragePool', [d])
    s = g.op('Relu', [g.conv(s, 16, 4, 1)])
    s = g.op('HardSigmoid', [g.conv(s, 4, 16, 1)], alpha=0.2, beta=0.5)
    d = g.op('Mul', [d, s])
    p = g.bn(g.conv(d, 16, 8, 1, bias=False), 8)
    h = g.op('Add', [h, p])
    h = hswish(g.bn(g.conv(h, 8, 24, 1, bias=False), 24))
    h = g.op('GlobalAveragePool', [h])
    # Flatten via shape arithmetic on the batch size (opset 9 Slice takes attributes).
    shp = g.op('Shape', [h])
    n = g.op('Slice', [shp], starts=[0], ends=[1], axes=[0])
    n = g.op('Cast', [n], to=TensorProto.INT64)
    flat = g.op('Concat', [n, g.const(np.array([-1], dtype=np.int64))], axis=0)
    h = g.op('Reshape', [h, flat])
    h = g.op('MatMul', [h, g.const((0.3 * rng.standard_normal((24, 10))).astype(np.float32), 'fc')])
    h = g.op('Add', [h, g.const((0.1 * rng.standard_normal(10)).astype(np.float32), 'fcb')])
    out = g.op('Softmax', [h], axis=1)
    graph = helper.make_graph(
        g.nodes, 'paddle-mobilenetv3-style',
        [helper.make_tensor_value_info('image', TensorProto.FLOAT, ['N', 3, 'H', 'W'])],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, ['N', 10])], g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 9)], producer_name='PaddlePaddle-style')
    model.ir_version = 4
    onnx.checker.check_model(model)
    return model


def tf():
    g = G('t_', const_nodes=False)
    f = lambda v: g.const(np.array(v, dtype=np.float32))
    x = 'input_1'
    h = g.op('Transpose', [x], 'nchw', perm=[0, 3, 1, 2])
    # TensorFlow SAME with stride 2: pad more at the end, then a VALID conv.
    h = g.op('Pad', [h, g.const(np.array([0, 0, 0, 0, 0, 0, 1, 1], dtype=np.int64))], mode='constant')
    h = g.conv(h, 3, 8, 3, stride=2, pad=0, bias=False)
    h = g.op('Mul', [h, g.const((0.5 + rng.random((1, 8, 1, 1))).astype(np.float32), 'bn_scale')])
    h = g.op('Add', [h, g.const((0.1 * rng.standard_normal((1, 8, 1, 1))).astype(np.float32), 'bn_shift')])
    h = g.op('Clip', [h, f(0.0), f(6.0)])
    h = g.conv(h, 8, 8, 3, group=8)
    h = g.op('Mul', [h, g.op('HardSigmoid', [h], alpha=1 / 6, beta=0.5)])
    h = g.op('AveragePool', [h], kernel_shape=[2, 2], strides=[2, 2])
    h = g.op('Relu', [g.conv(h, 8, 16, 1)])
    h = g.op('GlobalAveragePool', [h])
    h = g.op('Squeeze', [h, g.const(np.array([2, 3], dtype=np.int64))])
    h = g.op('Gemm', [h, g.const((0.3 * rng.standard_normal((10, 16))).astype(np.float32), 'dense'), g.const((0.1 * rng.standard_normal(10)).astype(np.float32), 'dense_b')], transB=1)
    out = g.op('Softmax', [h], axis=-1)
    graph = helper.make_graph(
        g.nodes, 'tf2onnx-style',
        [helper.make_tensor_value_info('input_1', TensorProto.FLOAT, ['unk__0', 32, 32, 3])],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, ['unk__0', 10])], g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='tf2onnx-style')
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model


if __name__ == '__main__':
    out = os.path.join(HERE, 'fixtures')
    for name, make in [('paddle-mobilenetv3-style', paddle), ('tf2onnx-style', tf)]:
        onnx.save(make(), os.path.join(out, f'{name}.onnx'))
        print(name)

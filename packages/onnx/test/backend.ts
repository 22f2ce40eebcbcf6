/**
 * ONNX's own backend node tests (Debian's libonnx-testdata): each test is a one-op model
 * (model.onnx) with inputs and expected outputs as TensorProto files. spikelite imports the
 * model with the first input as the data and the others bound as constants, runs it, and
 * compares every output with ONNX's expected values (the backend tests' own tolerance,
 * rtol 1e-3, atol 1e-7). A graph is tried with its first axis as the batch, then as one sample.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeTensorProto } from '../src/proto.js';
import { decodeTensor } from '../src/tensor.js';
import { forwardImported, importOnnx, networkFromImport, readModel } from '../src/index.js';

export const NODE_TESTS = process.env['ONNX_TESTDATA'] ?? '/usr/share/libonnx-testdata/data/node';

/** The operators issue 13 lists (constant nodes come along). */
export const LISTED_OPS = [
  'Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'BatchNormalization', 'Concat',
  'Add', 'Sub', 'Mul', 'Div', 'Relu', 'Clip', 'LeakyRelu', 'PRelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh',
  'Elu', 'Gelu', 'Gemm', 'MatMul', 'Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'Transpose', 'Dropout', 'Identity',
  'Pad', 'Softmax',
] as const;

export interface NodeTestResult {
  test: string;
  /** The tested operator (the model's non-Constant op). */
  op: string;
  ok: boolean;
  /** How the graph was read: its first axis as the batch, or as one sample. */
  mode: 'leading' | 'none' | null;
  reason: string;
  maxAbsDiff: number;
}

const tensor = (path: string): { name: string; dims: number[]; data: Float32Array | number[]; type: number } => {
  const t = decodeTensorProto(readFileSync(path));
  const d = decodeTensor(t);
  return { name: t.name ?? '', dims: d.dims, data: d.data, type: t.data_type ?? 0 };
};

/** Tests whose every op is listed (a Constant may come along). */
export function listedTests(dir = NODE_TESTS): Array<{ test: string; op: string }> {
  if (!existsSync(dir)) return [];
  const out: Array<{ test: string; op: string }> = [];
  for (const test of readdirSync(dir).sort()) {
    const path = join(dir, test, 'model.onnx');
    if (!existsSync(path)) continue;
    const ops = readModel(path).graph?.node.map((n) => n.op_type ?? '') ?? [];
    const main = ops.filter((o) => o !== 'Constant');
    if (main.length === 0 || !main.every((o) => (LISTED_OPS as readonly string[]).includes(o))) continue;
    out.push({ test, op: main[0]! });
  }
  return out;
}

export function runNodeTest(test: string, op: string, dir = NODE_TESTS): NodeTestResult {
  const root = join(dir, test);
  const file = join(root, 'model.onnx');
  const model = readModel(file);
  const graph = model.graph!;
  const inits = new Set(graph.initializer.map((t) => t.name));
  const inputs = graph.input.filter((i) => !inits.has(i.name ?? ''));
  const set = join(root, 'test_data_set_0');
  const fail = (reason: string, mode: NodeTestResult['mode'] = null): NodeTestResult => ({ test, op, ok: false, mode, reason, maxAbsDiff: NaN });
  let values: Array<ReturnType<typeof tensor>>;
  let expected: Array<ReturnType<typeof tensor>>;
  try {
    values = inputs.map((_, i) => tensor(join(set, `input_${i}.pb`)));
    expected = graph.output.map((_, i) => tensor(join(set, `output_${i}.pb`)));
  } catch (e) {
    // Sequence and optional values are other protos than TensorProto.
    return fail(`test data is not a plain tensor (${(e as Error).message})`);
  }
  const data = values[0];
  if (data === undefined) return fail('no input');
  // Integer tensors run as float32 values (exact for small integers; integer wrap-around and
  // division are not reproduced); booleans (a Dropout mask) compare as 0/1.
  const numeric = new Set([1, 2, 3, 4, 5, 6, 7, 9]);
  if (![...values, ...expected].every((t) => numeric.has(t.type))) return fail(`a tensor has a non-numeric type (${[...values, ...expected].map((t) => t.type)})`);
  const bind = Object.fromEntries(values.slice(1).map((v, i) => [inputs[i + 1]!.name ?? '', { dims: v.dims, data: v.data }]));
  let maxAbsDiff = 0;
  let mode: NodeTestResult['mode'] = null;
  for (const [k, out] of graph.output.entries()) {
    const want = expected[k]!;
    let imported;
    const errors: string[] = [];
    for (const m of ['leading', 'none'] as const) {
      try {
        imported = importOnnx(file, { bind, batch: m, output: out.name ?? '', keepFinalSoftmax: true });
        mode = m;
        break;
      } catch (e) {
        errors.push(`${m}: ${(e as Error).message.replace(`${file}: `, '')}`);
      }
    }
    if (imported === undefined) return fail(errors.join(' | '));
    const net = networkFromImport(imported);
    let got: Float32Array;
    try {
      got = forwardImported(net, imported, Float32Array.from(data.data as ArrayLike<number>), data.dims);
    } catch (e) {
      return fail(`run: ${(e as Error).message}`, mode);
    } finally {
      net.dispose();
    }
    const ref = Float32Array.from(want.data as ArrayLike<number>);
    if (got.length !== ref.length) return fail(`output ${k} has ${got.length} values, expected ${ref.length} (dims [${want.dims}])`, mode);
    for (let i = 0; i < ref.length; i++) {
      const d = Math.abs(got[i]! - ref[i]!);
      if (!(d <= 1e-7 + 1e-3 * Math.abs(ref[i]!))) return { test, op, ok: false, mode, reason: `output ${k}[${i}] = ${got[i]}, expected ${ref[i]}`, maxAbsDiff: d };
      maxAbsDiff = Math.max(maxAbsDiff, d);
    }
  }
  return { test, op, ok: true, mode, reason: '', maxAbsDiff };
}

/** Passes per operator as a Markdown table. */
export function passTable(results: readonly NodeTestResult[]): string {
  const ops = [...new Set(results.map((r) => r.op))].sort();
  const rows = ops.map((op) => {
    const rs = results.filter((r) => r.op === op);
    const failed = rs.filter((r) => !r.ok).map((r) => r.test.replace(/^test_/, ''));
    return `| ${op} | ${rs.filter((r) => r.ok).length}/${rs.length} | ${failed.join(', ') || '—'} |`;
  });
  const pass = results.filter((r) => r.ok).length;
  return ['| operator | passed | failed tests |', '|---|---|---|', ...rows, `| **all** | **${pass}/${results.length}** (${((100 * pass) / results.length).toFixed(1)} %) | |`].join('\n');
}

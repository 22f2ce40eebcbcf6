/**
 * A minimal WebAssembly assembler: spikelite's SIMD kernels are written here as function
 * bodies and assembled at load time into modules that import the tfjs wasm backend's
 * memory, so they read and write tensors in place (no binary in the repository, no
 * toolchain). Only what the kernels use is here: i32/f32 scalars, v128 with the f32x4
 * operations of the SIMD standard, structured loops and ifs.
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const str = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

/** Scalar opcodes used by the kernels. */
export const OP = {
  unreachable: 0x00, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d, return: 0x0f,
  drop: 0x1a, select: 0x1b,
  i32Load: 0x28, f32Load: 0x2a, i32Store: 0x36, f32Store: 0x38, f64Store: 0x39,
  i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32LtS: 0x48, i32LtU: 0x49, i32GtS: 0x4a, i32GtU: 0x4b,
  i32LeS: 0x4c, i32LeU: 0x4d, i32GeS: 0x4e, i32GeU: 0x4f,
  f32Eq: 0x5b, f32Ne: 0x5c,
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32DivS: 0x6d, i32DivU: 0x6e, i32RemS: 0x6f, i32RemU: 0x70,
  i32And: 0x71, i32Or: 0x72, i32Xor: 0x73, i32Shl: 0x74, i32ShrS: 0x75, i32ShrU: 0x76,
  f32Add: 0x92, f32Sub: 0x93, f32Mul: 0x94,
} as const;

/** SIMD opcodes (after the 0xfd prefix). */
export const SIMD = {
  load: 0x00, store: 0x0b, const: 0x0c, shuffle: 0x0d,
  i32x4Splat: 0x11, f32x4Splat: 0x13, i32x4ExtractLane: 0x1b, f32x4ExtractLane: 0x1f,
  f32x4Eq: 0x41, f32x4Ne: 0x42, f32x4Lt: 0x43, f32x4Gt: 0x44,
  not: 0x4d, and: 0x4e, andnot: 0x4f, or: 0x50, xor: 0x51, bitselect: 0x52, anyTrue: 0x53,
  f64x2PromoteLow: 0x5f, i8x16Popcnt: 0x62,
  i32x4AllTrue: 0xa3, i32x4Bitmask: 0xa4, i32x4Add: 0xae, i32x4Sub: 0xb1,
  f32x4Abs: 0xe0, f32x4Neg: 0xe1, f32x4Add: 0xe4, f32x4Sub: 0xe5, f32x4Mul: 0xe6, f32x4Min: 0xe8, f32x4Max: 0xe9,
  f32x4Pmin: 0xea, f32x4Pmax: 0xeb, f64x2Add: 0xf0,
} as const;

/** A tuple of N numbers. */
export type Tuple<N extends number, R extends number[] = []> = R['length'] extends N ? R : Tuple<N, [...R, number]>;

/** Block type "no result". */
const VOID = 0x40;

/** Branches available inside a {@link WasmFn.forRange} body. */
export interface LoopControl {
  /** Continue with the next iteration. */
  next(): void;
  /** Continue with the next iteration when the i32 on the stack ≠ 0. */
  nextIf(): void;
  /** Leave the loop when the i32 on the stack ≠ 0. */
  exitIf(): void;
}

/**
 * One function body. Locals are numbered after the params. Emitting methods return `this`
 * so bodies read as stack code: `f.get(a).get(b).op(OP.i32Add).set(c)`.
 */
export class WasmFn {
  readonly code: number[] = [];
  private readonly localTypes: number[] = [];
  constructor(
    readonly params: readonly ValType[],
    readonly results: readonly ValType[] = [],
  ) {}

  local(type: ValType): number {
    this.localTypes.push(type);
    return this.params.length + this.localTypes.length - 1;
  }
  /** `n` new locals of one type (a tuple, so destructuring them is typed). */
  locals<N extends number>(type: ValType, n: N): Tuple<N> {
    return Array.from({ length: n }, () => this.local(type)) as Tuple<N>;
  }
  op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  get(i: number): this {
    return this.op(0x20, ...uleb(i));
  }
  set(i: number): this {
    return this.op(0x21, ...uleb(i));
  }
  tee(i: number): this {
    return this.op(0x22, ...uleb(i));
  }
  i32(n: number): this {
    return this.op(0x41, ...sleb(n | 0));
  }
  f32(x: number): this {
    const b = new Uint8Array(new Float32Array([x]).buffer);
    return this.op(0x43, ...b);
  }
  simd(opcode: number, ...imm: number[]): this {
    return this.op(0xfd, ...uleb(opcode), ...imm);
  }
  /** Memory access with alignment log2 `align` and a constant byte offset. */
  mem(opcode: number, align: number, offset = 0): this {
    return this.op(opcode, align, ...uleb(offset));
  }
  /** v128.load from the address on the stack (+ offset bytes). */
  v128Load(offset = 0): this {
    return this.simd(SIMD.load, 2, ...uleb(offset));
  }
  /** v128.store: address then value on the stack (+ offset bytes). */
  v128Store(offset = 0): this {
    return this.simd(SIMD.store, 2, ...uleb(offset));
  }
  v128Zero(): this {
    return this.simd(SIMD.const, ...new Array<number>(16).fill(0));
  }
  v128Const(bytes: readonly number[]): this {
    return this.simd(SIMD.const, ...bytes);
  }
  splat(f32Local: number): this {
    return this.get(f32Local).simd(SIMD.f32x4Splat);
  }

  /** Open blocks/loops/ifs, so that loop controls can compute branch depths. */
  private depth = 0;
  private open(opcode: number): void {
    this.op(opcode, VOID);
    this.depth++;
  }
  private close(): void {
    this.op(OP.end);
    this.depth--;
  }

  /** block … end. */
  block(body: () => void): this {
    this.open(OP.block);
    body();
    this.close();
    return this;
  }
  /** if (i32 on the stack ≠ 0) then … [else …] end. */
  if(then: () => void, otherwise?: () => void): this {
    this.open(OP.if);
    then();
    if (otherwise) {
      this.op(OP.else);
      otherwise();
    }
    this.close();
    return this;
  }

  /**
   * for (i = start; i < end; i += step) body, with `end` a local read every iteration.
   * `body` gets controls: `next()` / `nextIf()` continue with the following i (branching
   * past any blocks and ifs opened inside the body), `exitIf()` leaves the loop.
   */
  forRange(i: number, start: () => void, end: number, step: number, body: (c: LoopControl) => void): this {
    start();
    this.set(i);
    this.open(OP.block);
    const exitDepth = this.depth;
    this.open(OP.loop);
    this.get(i).get(end).op(OP.i32GeS, OP.brIf, ...uleb(this.depth - exitDepth));
    this.open(OP.block);
    const bodyDepth = this.depth;
    body({
      next: () => this.op(OP.br, ...uleb(this.depth - bodyDepth)),
      nextIf: () => this.op(OP.brIf, ...uleb(this.depth - bodyDepth)),
      exitIf: () => this.op(OP.brIf, ...uleb(this.depth - exitDepth)),
    });
    this.close();
    this.get(i).i32(step).op(OP.i32Add).set(i);
    this.op(OP.br, 0);
    this.close();
    this.close();
    return this;
  }

  body(): number[] {
    const groups = this.localTypes.map((t) => [1, t]);
    const b = [...vec(groups), ...this.code, OP.end];
    return [...uleb(b.length), ...b];
  }
}

/** A module of `fns` (exported by name) importing `env.memory`. */
export function assembleModule(fns: ReadonlyArray<readonly [string, WasmFn]>): Uint8Array {
  const types = fns.map(([, f]) => [0x60, ...vec(f.params.map((p) => [p])), ...vec(f.results.map((r) => [r]))]);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    // import env.memory (min 1 page, no max)
    ...section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x00, 1]])),
    ...section(3, vec(fns.map((_, k) => uleb(k)))),
    ...section(7, vec(fns.map(([name], k) => [...str(name), 0x00, ...uleb(k)]))),
    ...section(10, vec(fns.map(([, f]) => f.body()))),
  ];
  return Uint8Array.from(bytes);
}

/**
 * Compile `bytes` once and instantiate per memory. Returns null when this engine cannot
 * compile the module (no wasm SIMD) or link it (e.g. a shared, threaded memory).
 */
export function wasmInstanceCache<T>(bytes: () => Uint8Array): (memory: WebAssembly.Memory) => T | null {
  let compiled: WebAssembly.Module | null | undefined;
  const instances = new WeakMap<WebAssembly.Memory, T>();
  return (memory) => {
    if (compiled === undefined) {
      try {
        compiled = new WebAssembly.Module(bytes() as BufferSource);
      } catch {
        compiled = null;
      }
    }
    if (compiled === null) return null;
    let inst = instances.get(memory);
    if (inst === undefined) {
      try {
        inst = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as T;
      } catch {
        return null;
      }
      instances.set(memory, inst);
    }
    return inst;
  };
}

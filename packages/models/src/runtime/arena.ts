/**
 * Every buffer of a compiled SNN (weights, values, events, state, index tables) lives in one
 * WebAssembly.Memory, so the SIMD kernels (simd.ts) and the JavaScript loops work on the same
 * arrays without copies. Compilation runs twice: once with a counting arena (plain arrays, to
 * learn the size), then with a memory of that size, which never grows (growing would detach
 * the views the steps hold).
 */
const ALIGN = 16;
const PAGE = 65536;

export class Arena {
  private used = 0;

  private constructor(readonly memory: WebAssembly.Memory | null) {}

  /** Plain arrays; `bytes` then tells what a real arena needs. */
  static counting(): Arena {
    return new Arena(null);
  }

  static ofSize(bytes: number): Arena {
    // Byte 0..15 stay unused: a pointer of 0 can then mean "none" to a kernel.
    return new Arena(new WebAssembly.Memory({ initial: Math.ceil((bytes + ALIGN) / PAGE) + 1 }));
  }

  get bytes(): number {
    return this.used + ALIGN;
  }

  private take(bytes: number): number {
    const at = this.used + ALIGN;
    this.used += Math.ceil(bytes / ALIGN) * ALIGN;
    return at;
  }

  f32(n: number): Float32Array {
    const at = this.take(4 * n);
    return this.memory === null ? new Float32Array(n) : new Float32Array(this.memory.buffer, at, n);
  }

  i32(n: number): Int32Array {
    const at = this.take(4 * n);
    return this.memory === null ? new Int32Array(n) : new Int32Array(this.memory.buffer, at, n);
  }

  u8(n: number): Uint8Array {
    const at = this.take(n);
    return this.memory === null ? new Uint8Array(n) : new Uint8Array(this.memory.buffer, at, n);
  }
}

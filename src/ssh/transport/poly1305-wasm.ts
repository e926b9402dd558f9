/**
 * The Poly1305 block loop as a small WebAssembly function, assembled here from the listing below: 64-bit
 * integer products make it several times faster than any exact arithmetic JavaScript numbers allow.
 * The numbers are held in five 26-bit limbs; `blocks(pointer, length, hibit)` adds each 16-byte block
 * (with `hibit` as its 2^128 bit) to the accumulator and multiplies by r, modulo 2^130 - 5.
 *
 * Memory layout: h0..h4 as i64 at 0..39, r0..r4 as i64 at 40..79, the message from {@link MESSAGE_OFFSET}.
 * @module
 */

/** Where the message bytes go in the module's memory. */
export const MESSAGE_OFFSET = 128;

const I32 = 0x7f;
const I64 = 0x7e;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

// Locals: the three parameters, then i64 h0..h4, r0..r4, s1..s4 (5 r), d0..d4, c, then the i32 end pointer.
const P = 0, N = 1, HIBIT = 2;
const H = [3, 4, 5, 6, 7];
const R = [8, 9, 10, 11, 12];
const S = [-1, 13, 14, 15, 16];
const D = [17, 18, 19, 20, 21];
const C = 22;
const END = 23;

const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i64const = (n: number) => [0x42, ...sleb(n)];
const add = [0x7c], mul = [0x7e], and = [0x83], shrU = [0x88];
/** i64.load32_u at `pointer + offset`. */
const load32 = (offset: number) => [...get(P), 0x35, 0x00, ...uleb(offset)];
const loadI64 = (offset: number) => [0x41, ...sleb(offset), 0x29, 0x03, 0x00];
const storeI64 = (offset: number, local: number) => [0x41, ...sleb(offset), ...get(local), 0x37, 0x03, 0x00];
const MASK = 0x3ffffff;

/** h_k += ((le32 at byte) >> shift) & mask. */
function addLimb(k: number, byte: number, shift: number): number[] {
  return [...get(H[k]!), ...load32(byte), ...i64const(shift), ...shrU, ...i64const(MASK), ...and, ...add, ...set(H[k]!)];
}

/** d_k = sum of h_i * (r or s) for the limbs of the product landing at k. */
function product(k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 5; i++) {
    const j = k - i;
    out.push(...get(H[i]!), ...get(j >= 0 ? R[j]! : S[j + 5]!), ...mul);
    if (i > 0) out.push(...add);
  }
  return [...out, ...set(D[k]!)];
}

/** h_k = (d_k + c) & mask; c = (d_k + c) >> 26. */
function carry(k: number, withC: boolean): number[] {
  const sum = withC ? [...get(D[k]!), ...get(C), ...add, ...set(D[k]!)] : [];
  return [...sum, ...get(D[k]!), ...i64const(26), ...shrU, ...set(C), ...get(D[k]!), ...i64const(MASK), ...and, ...set(H[k]!)];
}

function body(): number[] {
  const code: number[] = [];
  for (let k = 0; k < 5; k++) code.push(...loadI64(8 * k), ...set(H[k]!), ...loadI64(40 + 8 * k), ...set(R[k]!));
  for (let k = 1; k < 5; k++) code.push(...get(R[k]!), ...i64const(5), ...mul, ...set(S[k]!));
  code.push(...get(P), ...get(N), 0x6a, ...set(END)); // end = p + n
  code.push(0x02, 0x40, 0x03, 0x40); // block, loop
  code.push(...get(P), ...get(END), 0x4f, 0x0d, 0x01); // if p >= end: leave the block
  code.push(...addLimb(0, 0, 0), ...addLimb(1, 3, 2), ...addLimb(2, 6, 4), ...addLimb(3, 9, 6));
  // h4 += (le32 at 12) >> 8 | hibit
  code.push(...get(H[4]!), ...load32(12), ...i64const(8), ...shrU, ...add, ...get(HIBIT), 0xad, ...add, ...set(H[4]!));
  for (let k = 0; k < 5; k++) code.push(...product(k));
  code.push(...carry(0, false));
  for (let k = 1; k < 5; k++) code.push(...carry(k, true));
  // h0 += c * 5; c = h0 >> 26; h0 &= mask; h1 += c
  code.push(...get(H[0]!), ...get(C), ...i64const(5), ...mul, ...add, ...set(H[0]!));
  code.push(...get(H[0]!), ...i64const(26), ...shrU, ...set(C), ...get(H[0]!), ...i64const(MASK), ...and, ...set(H[0]!));
  code.push(...get(H[1]!), ...get(C), ...add, ...set(H[1]!));
  code.push(...get(P), 0x41, ...sleb(16), 0x6a, ...set(P)); // p += 16
  code.push(0x0c, 0x00, 0x0b, 0x0b); // br loop; end loop; end block
  for (let k = 0; k < 5; k++) code.push(...storeI64(8 * k, H[k]!));
  code.push(0x0b);
  const locals = [0x02, ...uleb(C - HIBIT), I64, 0x01, I32];
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
  const fnBody = body();
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x03, I32, I32, I32, 0x00]),
    ...section(3, [0x01, 0x00]),
    ...section(5, [0x01, 0x00, 0x08]),
    ...section(7, [0x02, ...name('blocks'), 0x00, 0x00, ...name('memory'), 0x02, 0x00]),
    ...section(10, [0x01, ...fnBody]),
  ]);
}

/** The instantiated module: its memory and `blocks(pointer, length, hibit)`. */
export interface PolyBlocks {
  readonly memory: WebAssembly.Memory;
  blocks(pointer: number, length: number, hibit: number): void;
}

let instance: PolyBlocks | undefined;

/** The module, compiled on first use (synchronously: it is a few hundred bytes). */
export function polyBlocks(): PolyBlocks {
  if (instance === undefined) {
    const exports = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes())).exports;
    instance = exports as unknown as PolyBlocks;
  }
  return instance;
}

import { sha256Hex } from '../import/hash.ts';

/**
 * SHA-256 as lowercase hex, like `sha256Hex`, with a fast path for what the engine hashes on
 * every row it creates (`<contact id>:<serial>`, a few dozen ASCII characters): one 64-byte
 * block, no allocation beyond the answer. Anything else (non-ASCII, longer than 55 bytes) goes
 * to `sha256Hex`. A test keeps the two equal.
 */
export function digestHex(text: string): string {
  const length = text.length;
  if (length > 55) return sha256Hex(text);
  for (let index = 0; index < length; index++) if (text.charCodeAt(index) > 0x7f) return sha256Hex(text);

  // The message block: the bytes, then 0x80, zeros, and the length in bits (big-endian).
  words.fill(0, 0, 16);
  for (let index = 0; index < length; index++) {
    const word = index >> 2;
    words[word] = (words[word] as number) | (text.charCodeAt(index) << (24 - 8 * (index & 3)));
  }
  const end = length >> 2;
  words[end] = (words[end] as number) | (0x80 << (24 - 8 * (length & 3)));
  words[15] = length * 8;
  for (let t = 16; t < 64; t++) {
    const w15 = words[t - 15] as number;
    const w2 = words[t - 2] as number;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    words[t] = ((words[t - 16] as number) + s0 + (words[t - 7] as number) + s1) | 0;
  }
  let a = 0x6a09e667;
  let b = 0xbb67ae85 | 0;
  let c = 0x3c6ef372;
  let d = 0xa54ff53a | 0;
  let e = 0x510e527f;
  let f = 0x9b05688c | 0;
  let g = 0x1f83d9ab;
  let h = 0x5be0cd19;
  for (let t = 0; t < 64; t++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const choice = (e & f) ^ (~e & g);
    const t1 = (h + s1 + choice + (roundConstants[t] as number) + (words[t] as number)) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const majority = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (s0 + majority) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  return (
    hex(0x6a09e667 + a) +
    hex(0xbb67ae85 + b) +
    hex(0x3c6ef372 + c) +
    hex(0xa54ff53a + d) +
    hex(0x510e527f + e) +
    hex(0x9b05688c + f) +
    hex(0x1f83d9ab + g) +
    hex(0x5be0cd19 + h)
  );
}

const words = new Int32Array(64);

const byteHex = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function hex(word: number): string {
  return (
    (byteHex[(word >>> 24) & 0xff] as string) +
    (byteHex[(word >>> 16) & 0xff] as string) +
    (byteHex[(word >>> 8) & 0xff] as string) +
    (byteHex[word & 0xff] as string)
  );
}

const roundConstants = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

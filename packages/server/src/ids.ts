import { randomFillSync } from 'node:crypto';

// Random bytes drawn 4 KB at a time: one system call per 256 ids instead of one per id.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function random16(): Buffer {
  if (poolOffset + 16 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = Buffer.from(pool.subarray(poolOffset, poolOffset + 16));
  poolOffset += 16;
  return bytes;
}

/**
 * Time-ordered UUIDs (version 7): rows inserted together sit together in the primary-key index.
 * `now` is passed so ids follow the injected clock in tests.
 */
export function createUuidV7(now: Date = new Date()): string {
  const bytes = random16();
  const ms = BigInt(now.getTime());
  for (let index = 0; index < 6; index++) {
    bytes[index] = Number((ms >> BigInt(8 * (5 - index))) & 0xffn);
  }
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

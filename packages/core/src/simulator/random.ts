/**
 * A seeded pseudo-random source for the simulator: sfc32 (a small, fast generator with a 128-bit
 * state) plus the distributions a simulation needs. The same seed and stream give the same
 * numbers on every platform, so a simulation is reproducible from its seed alone. Never use it
 * for secrets.
 */
export type Random = {
  /** A number in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** A number in [min, max). */
  uniform(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** Gaussian with the given mean and standard deviation. */
  normal(mean?: number, sd?: number): number;
  /** Log-normal given its median and the standard deviation of its logarithm. */
  lognormal(median: number, sigma: number): number;
  /** Exponential with the given mean. */
  exponential(mean: number): number;
  /** Poisson count with the given mean. */
  poisson(mean: number): number;
  pick<T>(items: readonly T[]): T;
  /** One item, with probability proportional to its weight (weights ≥ 0, not all 0). */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** `length` lowercase hexadecimal digits. */
  hex(length: number): string;
};

/**
 * A generator for `seed` and an optional stream path: `createRandom(7, 3)` and `createRandom(7, 4)`
 * are independent streams of seed 7, so each contact can draw its own numbers in any order.
 */
export function createRandom(seed: number, ...stream: number[]): Random {
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be a safe integer, got ${seed}`);
  let h1 = 0x243f6a88;
  let h2 = 0x85a308d3;
  let h3 = 0x13198a2e;
  let h4 = 0x03707344;
  for (const part of [seed, stream.length, ...stream]) {
    const low = (part % 0x100000000) | 0;
    const high = Math.floor(part / 0x100000000) | 0;
    for (const word of [low, high]) {
      h1 = mix(h1 ^ word, 0x9e3779b1);
      h2 = mix(h2 + h1, 0x85ebca6b);
      h3 = mix(h3 ^ h2, 0xc2b2ae35);
      h4 = mix(h4 + h3, 0x27d4eb2f);
    }
  }
  return fromState(h1, h2, h3, h4);
}

function mix(value: number, multiplier: number): number {
  let h = Math.imul(value, multiplier);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h | 0;
}

function fromState(seedA: number, seedB: number, seedC: number, seedD: number): Random {
  let a = seedA | 0;
  let b = seedB | 0;
  let c = seedC | 0;
  let d = seedD | 0;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 0x100000000;
  };
  // The first outputs of a freshly mixed state are still correlated with the seed.
  for (let i = 0; i < 15; i += 1) next();

  const normal = (mean = 0, sd = 1): number => {
    const u = 1 - next();
    const v = next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };

  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    uniform: (min, max) => min + next() * (max - min),
    chance: (p) => next() < p,
    normal,
    lognormal: (median, sigma) => median * Math.exp(normal(0, sigma)),
    exponential: (mean) => -mean * Math.log(1 - next()),
    poisson(mean) {
      if (mean <= 0) return 0;
      if (mean > 30) return Math.max(0, Math.round(normal(mean, Math.sqrt(mean))));
      const limit = Math.exp(-mean);
      let count = 0;
      let product = next();
      while (product > limit) {
        count += 1;
        product *= next();
      }
      return count;
    },
    pick(items) {
      if (items.length === 0) throw new Error('cannot pick from an empty list');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    weighted(items) {
      let total = 0;
      for (const [, weight] of items) total += weight;
      if (!(total > 0)) throw new Error('weighted choice needs a positive total weight');
      let target = next() * total;
      for (const [item, weight] of items) {
        target -= weight;
        if (target < 0) return item;
      }
      // Rounding can leave a sliver of `target`: the last item with weight takes it.
      for (let i = items.length - 1; i >= 0; i -= 1) {
        const entry = items[i] as (typeof items)[number];
        if (entry[1] > 0) return entry[0];
      }
      throw new Error('unreachable');
    },
    hex(length) {
      let text = '';
      while (text.length < length) text += ((next() * 0x100000000) >>> 0).toString(16).padStart(8, '0');
      return text.slice(0, length);
    },
  };
}

import { seededRandom as mulberry32 } from '../../src/emulator/journal/faults.js';

/**
 * A small seeded PRNG (mulberry32, the emulator's own): the mixed scenarios' pools and each load
 * connection's draws are the same from run to run.
 */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  return mulberry32(seed);
}

/** A whole number in [min, max]. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function pick<T>(random: Random, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[Math.floor(random() * items.length)] as T;
}

/** The seed of connection `slot` of a run seeded with `seed`. */
export function connectionSeed(seed: number, slot: number): number {
  return (seed ^ Math.imul(slot + 1, 0x9e3779b1)) >>> 0;
}

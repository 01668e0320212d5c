/**
 * The one source of time. Domain code never calls Date.now(): it asks the Clock it was given,
 * so tests and the emulator controls can freeze or move time for every API at once.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export interface ControllableClock extends Clock {
  /** Freeze at an instant (ms since epoch). */
  freeze(at: number): void;
  /** Move the clock by ms (frozen: the frozen instant moves; real: an offset is added). */
  advance(ms: number): void;
  /** Back to real time, no offset. */
  real(): void;
  readonly isFrozen: boolean;
  /** called after every freeze, advance or real (e.g. to run what fell due); returns the unsubscribe */
  onChange(listener: () => void): () => void;
}

export function createClock(options: { frozenAt?: number; source?: () => number } = {}): ControllableClock {
  const source = options.source ?? (() => Date.now());
  let frozenAt: number | undefined = options.frozenAt;
  let offset = 0;
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch {
        // a listener never breaks a clock move
      }
    }
  };
  return {
    now: () => (frozenAt !== undefined ? frozenAt : source() + offset),
    freeze(at) {
      frozenAt = at;
      changed();
    },
    advance(ms) {
      if (frozenAt !== undefined) frozenAt += ms;
      else offset += ms;
      changed();
    },
    real() {
      frozenAt = undefined;
      offset = 0;
      changed();
    },
    get isFrozen() {
      return frozenAt !== undefined;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** "YYYY-MM-DDTHH:MM:SSZ": second precision, as the Account API renders DateTime. */
export function toIsoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Unix seconds as a string, as the B2B storefront API renders timestamps. */
export function toUnixSecondsString(ms: number): string {
  return String(Math.floor(ms / 1000));
}

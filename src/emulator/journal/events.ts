import { type EventSink, type WorldEventInput, type WorldEventType, worldEventTypes } from '../../domain/domain-events.js';
import { redactJournalValue } from './journal-redact.js';
import { createRingBuffer } from './ring-buffer.js';

/**
 * The journal of typed state-change events, one stream per world. Domain services report what they changed with
 * `services.events.emit({ type, subject, before, after })` after their transaction commits; the
 * emulator shows them at GET /_roster/events. Until every service emits its own, the emulator
 * derives the common ones from successful API responses (source: "derived"); the first event of a
 * family (`account.*`, `store.*`, ...) that a service emits itself switches derivation of that
 * family off for good, so nothing is reported twice.
 */
export interface WorldEvent {
  seq: number;
  at: string;
  world: string;
  type: WorldEventType;
  source: 'service' | 'derived' | 'emulator';
  requestId: string | null;
  subject: Record<string, unknown>;
  before: unknown;
  after: unknown;
}

export interface EventFilter {
  type?: string | undefined;
  since?: number | undefined;
  limit?: number | undefined;
}

export interface EventJournal {
  /** the sink handed to this world's services */
  readonly sink: EventSink;
  record(event: WorldEventInput, source: WorldEvent['source'], requestId?: string): void;
  /** records once the event is ready (before/after still being read); settled() waits for it */
  recordWhenReady(event: Promise<WorldEventInput | undefined>, source: WorldEvent['source'], requestId?: string): void;
  list(filter?: EventFilter): WorldEvent[];
  /** resolves once every event still being prepared is recorded */
  settled(): Promise<void>;
  clear(): void;
}

/**
 * Shared by every world: has a service emitted events of this family (`account`, `store`,
 * `company`, ...) itself yet? Then the emulator stops deriving that family from responses.
 */
export interface EventDerivationSwitch {
  servicesEmit(family: string): boolean;
  markServiceEmitted(type: string): void;
}

export function createEventDerivationSwitch(): EventDerivationSwitch {
  const families = new Set<string>();
  return {
    servicesEmit: (family) => families.has(family),
    markServiceEmitted(type) {
      families.add(type.split('.')[0] as string);
    },
  };
}

export function createEventJournal(options: { world: string; capacity: number; now: () => number; derivation: EventDerivationSwitch }): EventJournal {
  const buffer = createRingBuffer<WorldEvent>(options.capacity);
  const pending = new Set<Promise<unknown>>();
  let seq = 0;
  const record = (event: WorldEventInput, source: WorldEvent['source'], requestId?: string, at?: number) => {
    if (!(worldEventTypes as readonly string[]).includes(event.type)) return;
    const place = at ?? (seq += 1);
    buffer.push({
      seq: place,
      at: new Date(options.now()).toISOString(),
      world: options.world,
      type: event.type,
      source,
      requestId: requestId ?? null,
      subject: (redactJournalValue(event.subject ?? {}) as Record<string, unknown>) ?? {},
      before: redactJournalValue(event.before ?? null),
      after: redactJournalValue(event.after ?? null),
    });
  };
  const later = (event: Promise<unknown>) => {
    const p: Promise<unknown> = event.catch(() => undefined);
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  return {
    sink: {
      emit(event) {
        options.derivation.markServiceEmitted(event.type);
        record(event, 'service');
      },
      reserve() {
        seq += 1;
        const place = seq;
        let settle: () => void = () => undefined;
        // GET /_roster/events waits for places still being filled
        later(new Promise<void>((resolve) => (settle = resolve)));
        return {
          emit(event) {
            options.derivation.markServiceEmitted(event.type);
            record(event, 'service', undefined, place);
            settle();
          },
          cancel: () => settle(),
        };
      },
    },
    recordWhenReady(event, source, requestId) {
      later(
        event.then((e) => {
          if (e) record(e, source, requestId);
        }),
      );
    },
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    record,
    list(filter = {}) {
      const limit = Math.max(1, Math.min(filter.limit ?? 100, options.capacity || 1));
      // in the order places were taken (a reserved place may be filled after a later one)
      return buffer
        .toArray()
        .sort((a, b) => a.seq - b.seq)
        .filter((e) => (filter.since === undefined || e.seq > filter.since) && (filter.type === undefined || e.type === filter.type || e.type.startsWith(`${filter.type}.`)))
        .slice(-limit);
    },
    clear() {
      buffer.clear();
    },
  };
}

import { type EventSink, type WorldEventInput, type WorldEventType, worldEventTypes } from '../../domain/domain-events.js';
import { redactJournalValue } from './journal-redact.js';
import { createRingBuffer } from './ring-buffer.js';
import { currentRequestId } from '../../shared/request-scope.js';

/**
 * The journal of typed state-change events, one stream per world, shown at GET /_roster/events:
 * what domain services report (source "service", in the order their writes commit: see
 * commitWithEvents) and what the emulator itself does to a world (reset, restore, fixture load).
 */
export interface WorldEvent {
  seq: number;
  at: string;
  world: string;
  type: WorldEventType;
  source: 'service' | 'emulator';
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
  list(filter?: EventFilter): WorldEvent[];
  /** resolves once every event still being prepared is recorded */
  settled(): Promise<void>;
  clear(): void;
}

export function createEventJournal(options: { world: string; capacity: number; now: () => number }): EventJournal {
  // the time is kept as a number and written out when the journal is read (toISOString per write
  // was a fifth of recording an event)
  const buffer = createRingBuffer<Omit<WorldEvent, 'at'> & { atMs: number }>(options.capacity);
  const pending = new Set<Promise<void>>();
  let seq = 0;
  const record = (event: WorldEventInput, source: WorldEvent['source'], requestId?: string, at?: number) => {
    if (!(worldEventTypes as readonly string[]).includes(event.type)) return;
    const place = at ?? (seq += 1);
    buffer.push({
      seq: place,
      atMs: options.now(),
      world: options.world,
      type: event.type,
      source,
      requestId: requestId ?? null,
      subject: (redactJournalValue(event.subject ?? {}) as Record<string, unknown>) ?? {},
      before: redactJournalValue(event.before ?? null),
      after: redactJournalValue(event.after ?? null),
    });
  };
  return {
    sink: {
      emit(event) {
        record(event, 'service', currentRequestId());
      },
      reserve() {
        const place = (seq += 1);
        // GET /_roster/events waits for places still being filled
        let settle: () => void = () => undefined;
        const filled = new Promise<void>((resolve) => (settle = resolve));
        pending.add(filled);
        void filled.then(() => pending.delete(filled));
        return {
          emit(event) {
            record(event, 'service', currentRequestId(), place);
            settle();
          },
          cancel: () => settle(),
        };
      },
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
        .slice(-limit)
        .map(({ atMs, seq, ...event }) => ({ seq, at: new Date(atMs).toISOString(), ...event }));
    },
    clear() {
      buffer.clear();
    },
  };
}

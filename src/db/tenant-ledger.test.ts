import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPgLedger, createStamps } from './tenant-ledger.js';

/**
 * The tenants' stamps and logs (no storage: the same code serves both engines' ledgers, whose
 * storage side the tenant-invalidation suites test on SQLite and PostgreSQL). Against a reference
 * that keeps every write: whatever the logs dropped (a bound of a few entries here, 65,536 in use),
 * `touchedSince` and `changedSince` never answer "nothing touched" when a write since named an item.
 */
const TENANTS = ['a', 'b', 'c'];

describe('tenant ledger stamps', () => {
  it('never miss a write since a position, however many left the logs', () => {
    const step = fc.oneof(
      { weight: 8, arbitrary: fc.array(fc.tuple(fc.constantFrom(...TENANTS), fc.array(fc.integer({ min: -1, max: 6 }), { maxLength: 3 })), { minLength: 1, maxLength: 3 }).map((t) => ({ kind: 'touch' as const, tenants: t })) },
      { weight: 1, arbitrary: fc.constant({ kind: 'moveAll' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(step, { maxLength: 120 }), (logged, steps) => {
        const stamps = createStamps(logged);
        // reference: every write with its seq, and the last moveAll
        const writes: { seq: number; tenant: string; items: number[] }[] = [];
        let floor = 0;
        const marks: number[] = [0];
        for (const s of steps) {
          if (s.kind === 'moveAll') {
            stamps.moveAll();
            floor = stamps.mark();
          } else if (s.kind === 'touch') {
            const tenants = new Map<string, number[]>();
            for (const [tenant, items] of s.tenants) tenants.set(tenant, [...(tenants.get(tenant) ?? []), ...items]);
            stamps.touch(tenants);
            for (const [tenant, items] of tenants) writes.push({ seq: stamps.mark(), tenant, items });
          } else stamps.touch(new Map());
          marks.push(stamps.mark());
          for (const since of marks) {
            for (const tenant of TENANTS) {
              const truth = writes.filter((w) => w.seq > since && w.tenant === tenant);
              const unexplained = since < floor;
              for (const item of [-1, 0, 3, 6]) {
                const named = truth.some((w) => w.items.includes(item));
                if (named || unexplained) expect(stamps.touchedSince(tenant, since, (i) => i === item)).toBe(true);
              }
              const changed = stamps.changedSince(tenant, since);
              if (changed !== undefined) {
                expect(unexplained).toBe(false);
                expect(new Set(changed)).toEqual(new Set(truth.flatMap((w) => w.items)));
              }
              // a set of items (checked item by item when it is smaller than the writes since), with or without alsoIf
              for (const set of [new Set<number>(), new Set([3]), new Set([-1, 6]), new Set([0, 1, 2, 3, 4, 5, 6])]) {
                const named = truth.some((w) => w.items.some((i) => set.has(i)));
                const bySet = stamps.touchedSince(tenant, since, { items: set });
                if (named || unexplained) expect(bySet).toBe(true);
                // exact whenever the log still holds every write since
                if (changed !== undefined) expect(bySet).toBe(named);
                const withAlso = stamps.touchedSince(tenant, since, { items: set, alsoIf: (i) => i === 5 });
                if (named || unexplained || truth.some((w) => w.items.includes(5))) expect(withAlso).toBe(true);
              }
              // the stamp moves exactly when the tenant was written or everything moved
              if (truth.length === 0 && !unexplained) expect(stamps.stamp(tenant) <= since).toBe(true);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * PostgreSQL: a write run as one statement of its own learns its transaction id only after its
 * commit (runAsOneStatement), so a reading can show it completed before anyone registered it. The
 * reading waits for the writes on their way then; only a transaction none of them turns out to be
 * moves every tenant.
 */
describe('PostgreSQL ledger: writes that register after their commit', () => {
  const touched = (tenant: string, ...items: number[]) => new Map([[tenant, items]]);
  const settled = async (promise: Promise<void> | undefined) => {
    if (promise === undefined) return 'no wait';
    let done = false;
    void promise.then(() => {
      done = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    return done ? 'settled' : 'waiting';
  };

  it('a reading that shows such a write completed waits for it, then only its tenants move', async () => {
    const ledger = createPgLedger();
    ledger.observe('100:100:');
    const a = ledger.stamp('a');
    const b = ledger.stamp('b');
    const token = ledger.startUnregistered();
    ledger.observe('100:101:');
    expect([ledger.stamp('a'), ledger.stamp('b')]).toEqual([a, b]);
    const wait = ledger.explained();
    expect(await settled(wait)).toBe('waiting');
    ledger.endUnregistered(token, '100', touched('a', 7));
    expect(await settled(wait)).toBe('settled');
    expect(ledger.stamp('a')).toBeGreaterThan(a);
    expect(ledger.stamp('b')).toBe(b);
    expect(ledger.changedSince('a', a)).toEqual([7]);
    // a reading after it has nothing to wait for
    ledger.observe('101:101:');
    expect(ledger.explained()).toBeUndefined();
  });

  it('a completed transaction that none of the writes started before the reading turns out to be moves everything', async () => {
    const ledger = createPgLedger();
    ledger.observe('100:100:');
    const b = ledger.stamp('b');
    const first = ledger.startUnregistered();
    ledger.observe('100:102:'); // 100 and 101 completed; 'first' can be one of them at most
    const wait = ledger.explained();
    const second = ledger.startUnregistered(); // after the reading: cannot be what it showed
    ledger.endUnregistered(first, '101', touched('a', 1));
    expect(await settled(wait)).toBe('settled');
    expect(ledger.stamp('b')).toBeGreaterThan(b);
    expect(ledger.changedSince('b', b)).toBeUndefined();
    const c = ledger.stamp('c');
    ledger.endUnregistered(second, '102', touched('a', 2));
    // registered before any reading showed it: settled at once, nothing else moves
    expect(ledger.stamp('c')).toBe(c);
  });

  it('without such writes on their way, an unknown completed transaction moves everything at once; a failed one moves everything', async () => {
    const ledger = createPgLedger();
    ledger.observe('100:100:');
    const b = ledger.stamp('b');
    ledger.observe('100:101:');
    expect(ledger.explained()).toBeUndefined();
    expect(ledger.stamp('b')).toBeGreaterThan(b);
    const after = ledger.stamp('b');
    const token = ledger.startUnregistered();
    ledger.endUnregistered(token, undefined, touched('a', 1));
    expect(ledger.stamp('b')).toBeGreaterThan(after);
  });

  it('a reading does not wait long for a write that stays on its way (blocked on a lock): everything moves instead', async () => {
    const ledger = createPgLedger();
    ledger.observe('100:100:');
    const b = ledger.stamp('b');
    const token = ledger.startUnregistered();
    ledger.observe('100:101:');
    const wait = ledger.explained();
    expect(await settled(wait)).toBe('waiting');
    await wait;
    expect(ledger.stamp('b')).toBeGreaterThan(b);
    const moved = ledger.stamp('b');
    // its late answer: the transaction was seen completed already, nothing moves again
    ledger.endUnregistered(token, '100', touched('a', 1));
    expect(ledger.stamp('b')).toBe(moved);
  });
});

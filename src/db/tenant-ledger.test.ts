import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createStamps } from './tenant-ledger.js';

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

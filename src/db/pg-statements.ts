import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/**
 * Named (prepared) statements on PostgreSQL for the SQL of compiled query shapes
 * (db/shaped-query.ts): each connection parses and plans such a text once, then only binds and
 * executes it, as the SQLite side keeps its prepared statements. Kysely's driver sends every query
 * as an unnamed statement (parse, bind, execute each time); the pool it is given here names the
 * texts that were registered, and passes everything else through unchanged.
 *
 * Bounded: shapes come from code, but a shape's text can depend on a list's length; past
 * MAX_NAMED texts, new ones run unnamed. PostgreSQL re-analyses a prepared statement itself when a
 * table it reads is changed or recreated.
 */
const MAX_NAMED = 1000;
const names = new Map<string, string>();

/** Marks `sql` as worth preparing on every connection that runs it. */
export function registerPreparedText(sql: string): void {
  if (names.has(sql) || names.size >= MAX_NAMED) return;
  names.set(sql, `roster_q${names.size + 1}`);
}

export function withNamedStatements(pool: pg.Pool): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let facade = wrapped.get(client);
    if (!facade) {
      facade = {
        query: ((text: unknown, values?: unknown[]) => {
          const name = typeof text === 'string' ? names.get(text) : undefined;
          if (name === undefined) return client.query(text as string, values); // a cursor or an unregistered text
          return client.query({ name, text: text as string, values: values ?? [] });
        }) as unknown as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy),
      };
      wrapped.set(client, facade);
    }
    return facade;
  };
  return {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}

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

/**
 * What the pool tells of this process's writes (tenant-ledger.ts): a statement other than a SELECT
 * outside a transaction, or a transaction that ran one and did not declare itself (by running a
 * statement ending in `AS roster_xid` last, tenant-ledger.ts), has ended: whatever it changed must be seen by the next read at once.
 */
export interface PoolWriteWatch {
  unexplainedWrite(): void;
}

/** the column a statement reports its transaction id in */
export const XID_COLUMN = 'roster_xid';
/** how a declared write's SQL ends (tenant-ledger.ts PG_XID_SQL, runOutsideTenants) */
export const DECLARED_END = `AS ${XID_COLUMN}`;

/**
 * The statement a declared write runs last in its transaction to learn its transaction id
 * (tenant-ledger.ts). When an earlier statement of the same transaction already reported that id in
 * a `roster_xid` column (a row lock taken with `lockedForUpdate` does: the lock gives the
 * transaction its id anyway; a write can return it, dialect.ts transactionIdColumn), the answer is
 * given from there without a round trip.
 */
export const PG_XID_SQL = `SELECT pg_current_xact_id()::text ${DECLARED_END}`;

const READ_ONLY = /^\s*(select|show)\b/i;
const BEGIN = /^\s*(begin|start\s+transaction)\b/i;
const END = /^\s*(commit|rollback)\b/i;

export function withNamedStatements(pool: pg.Pool, watch?: PoolWriteWatch): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let facade = wrapped.get(client);
    if (!facade) {
      // this connection's transaction: open, wrote something, declared itself
      let inTransaction = false;
      let wrote = false;
      let declared = false;
      /** this transaction's id, when one of its statements reported it */
      let xid: string | undefined;
      const learnXid = (result: Promise<pg.QueryResult>) =>
        result.then((answer) => {
          const reported = (answer.rows[0] as Record<string, unknown> | undefined)?.[XID_COLUMN];
          if (inTransaction && typeof reported === 'string') xid = reported;
          return answer;
        });
      const send = (text: unknown, values?: unknown[]) => {
        const name = typeof text === 'string' ? names.get(text) : undefined;
        if (name === undefined) return client.query(text as string, values); // a cursor or an unregistered text
        return client.query({ name, text: text as string, values: values ?? [] });
      };
      const afterwards = (result: unknown) => {
        const done = result as Promise<unknown>;
        const tell = () => watch?.unexplainedWrite();
        return done.then(
          (rows) => {
            tell();
            return rows;
          },
          (error: unknown) => {
            tell();
            throw error;
          },
        );
      };
      facade = {
        query: ((text: unknown, values?: unknown[]) => {
          if (watch === undefined) return send(text, values);
          const sqlText = typeof text === 'string' ? text : String((text as { text?: unknown } | null)?.text ?? '');
          if (sqlText.endsWith(DECLARED_END)) {
            // a declared write: the last statement of its transaction, or one statement on its own
            if (inTransaction) {
              declared = true;
              if (sqlText === PG_XID_SQL && xid !== undefined) return Promise.resolve({ command: 'SELECT', rowCount: 1, rows: [{ [XID_COLUMN]: xid }], fields: [] });
            }
            return send(text, values);
          }
          if (READ_ONLY.test(sqlText)) return inTransaction && sqlText.includes(XID_COLUMN) ? learnXid(send(text, values) as Promise<pg.QueryResult>) : send(text, values);
          if (BEGIN.test(sqlText)) {
            inTransaction = true;
            wrote = false;
            declared = false;
            xid = undefined;
          } else if (END.test(sqlText)) {
            const unexplained = inTransaction && wrote && !declared;
            inTransaction = false;
            wrote = false;
            declared = false;
            xid = undefined;
            if (unexplained) return afterwards(send(text, values));
          } else if (inTransaction) {
            wrote = true;
            if (sqlText.includes(XID_COLUMN)) return learnXid(send(text, values) as Promise<pg.QueryResult>);
          } else return afterwards(send(text, values));
          return send(text, values);
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

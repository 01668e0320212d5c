/** Runs once before the suite: says which dialects run, so a skipped PostgreSQL half is never silent. */
export default function setup(): void {
  if (process.env.ROSTER_TEST_POSTGRES_URL) {
    process.stdout.write(`Storage tests run on SQLite and on PostgreSQL (${process.env.ROSTER_TEST_POSTGRES_URL.replace(/:[^:@/]*@/, ':***@')}).\n`);
  } else {
    process.stdout.write(
      'Storage tests run on SQLite only: the PostgreSQL half was skipped because ROSTER_TEST_POSTGRES_URL is not set (.ci/run sets it).\n',
    );
  }
}

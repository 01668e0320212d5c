/** Runs once before the suite: says which dialects run and whether the install tests run, so nothing is skipped silently. */
export default function setup(): void {
  if (process.env.ROSTER_TEST_POSTGRES_URL) {
    process.stdout.write(`Storage tests run on SQLite and on PostgreSQL (${process.env.ROSTER_TEST_POSTGRES_URL.replace(/:[^:@/]*@/, ':***@')}).\n`);
  } else {
    process.stdout.write(
      'Storage tests run on SQLite only: the PostgreSQL half was skipped because ROSTER_TEST_POSTGRES_URL is not set (.ci/run sets it).\n',
    );
  }
  if (!installTestsRun()) {
    process.stdout.write(
      'The install tests (a git URL and a path into a scratch project, ~4 min) were skipped: they run with ROSTER_TEST_INSTALL=1 (.ci/run runs them after the suite).\n',
    );
  }
}

/**
 * test/install.test.ts runs on demand: it installs the package twice (minutes of npm and of
 * compiling better-sqlite3), so .ci/run runs it on its own after the suite, where its CPU cannot
 * slow the suite's timing-sensitive tests.
 */
export function installTestsRun(): boolean {
  return process.env.ROSTER_TEST_INSTALL === '1';
}

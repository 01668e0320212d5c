import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT, addAccountUser, adminB2bToken, createAdminTestApp, createCompanyUser, exportState, injector } from './admin-support.js';
import type { TestApp } from './helpers/test-app.js';

/**
 * SQLite worlds bigger than `sqliteImageMemoryBytes` keep their reset baseline and snapshots in
 * files (a 1,000,000-user world is about 1 GB: in memory it doubled the process). SQLite only: on
 * PostgreSQL a big world's images are schemas on the server (admin-worlds.test.ts covers both).
 * Here the limit is 0, so even the demo world is imaged to files.
 */
const prefix = `.roster-images-${hostname().replace(/[^A-Za-z0-9]/g, '_')}-`;
const imageFolders = (parent: string) => readdirSync(parent).filter((name) => name.startsWith(`${prefix}${process.pid}-`));
const filesIn = (parent: string) => imageFolders(parent).flatMap((folder) => readdirSync(join(parent, folder)));

/** a process id that is certainly not running: a child that has exited */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('SQLite world images in files', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('live next to the database file, one per image, and go when discarded and at close', async () => {
    t = await createAdminTestApp('sqlite', { sqliteFile: true, sqliteImageMemoryBytes: 0 });
    const inject = injector(t);
    const parent = dirname(t.database.sqlite?.name as string);
    const fixtureState = await exportState(inject);
    expect(imageFolders(parent)).toHaveLength(1);
    expect(filesIn(parent)).toHaveLength(1); // the reset baseline, taken at start-up

    expect((await inject({ method: 'POST', url: '/_roster/snapshots', payload: { name: 'before' } })).statusCode).toBe(201);
    expect(filesIn(parent)).toHaveLength(2);
    expect((await addAccountUser(inject, '', 'file.image@example.com')).statusCode).toBe(200);
    const written = await exportState(inject);
    expect(written).not.toEqual(fixtureState);

    // replacing a snapshot swaps its file; its row counts are read from the file
    expect((await inject({ method: 'POST', url: '/_roster/snapshots', payload: { name: 'after' } })).statusCode).toBe(201);
    expect((await inject({ method: 'POST', url: '/_roster/snapshots', payload: { name: 'after' } })).statusCode).toBe(200);
    expect(filesIn(parent)).toHaveLength(3);
    const counts = (await inject({ method: 'GET', url: '/_roster/snapshots/after' })).json().rows;
    expect(counts.account_users).toBe(await t.database.kysely.selectFrom('account_users').select('user_id').execute().then((r) => r.length));

    // the APIs' answers are cached per storage version: a restore must move it
    const accountEmails = async () => {
      const res = await inject({
        method: 'POST',
        url: `/accounts/${ACCOUNT}/graphql`,
        headers: { 'content-type': 'application/json', 'x-auth-token': 'demo-account-token-full' },
        payload: { query: '{ account { users(first: 50) { edges { node { email } } } } }' },
      });
      return res.json().data.account.users.edges.map((e: { node: { email: string } }) => e.node.email) as string[];
    };
    const b2bUserCount = async () => {
      const token = await adminB2bToken(inject);
      return (await inject({ method: 'GET', url: '/api/v2/users?limit=1', headers: { authToken: token } })).json().data.pagination.totalCount as number;
    };
    expect(await accountEmails()).toContain('file.image@example.com');
    const b2bBefore = await b2bUserCount();
    expect((await createCompanyUser(inject, '', await adminB2bToken(inject), 'file.image.buyer@greatbuys.com')).statusCode).toBe(200);
    expect(await b2bUserCount()).toBe(b2bBefore + 1);

    expect((await inject({ method: 'POST', url: '/_roster/snapshots/before/restore' })).statusCode).toBe(200);
    expect(await exportState(inject)).toEqual(fixtureState);
    expect(await accountEmails()).not.toContain('file.image@example.com');
    expect(await b2bUserCount()).toBe(b2bBefore);
    expect((await inject({ method: 'POST', url: '/_roster/snapshots/after/restore' })).statusCode).toBe(200);
    expect(await exportState(inject)).toEqual(written);
    expect((await inject({ method: 'POST', url: '/_roster/reset' })).statusCode).toBe(200);
    expect(await exportState(inject)).toEqual(fixtureState);

    expect((await inject({ method: 'DELETE', url: '/_roster/snapshots/after' })).statusCode).toBe(204);
    expect(filesIn(parent)).toHaveLength(2);
    // image files are opened read-only without leaving SQLite side files (-wal, -shm) behind
    expect(filesIn(parent).every((name) => /^image-\d+\.db$/.test(name))).toBe(true);

    await t.close();
    t = undefined;
    expect(existsSync(parent) ? imageFolders(parent) : []).toEqual([]);
  });

  it('a deferred baseline is taken to a file before the first write; reset returns to the start-up state', async () => {
    t = await createAdminTestApp('sqlite', { sqliteFile: true, sqliteImageMemoryBytes: 0, eagerBaselineRows: 5 });
    const inject = injector(t);
    const parent = dirname(t.database.sqlite?.name as string);
    const worlds = t.app.controls.worlds;
    const initial = await exportState(inject);
    expect(worlds.isBaselinePending(worlds.main)).toBe(true);
    expect(imageFolders(parent)).toEqual([]);

    const write = await t.app.inject({
      method: 'POST',
      url: `/accounts/${ACCOUNT}/graphql`,
      headers: { 'content-type': 'application/json', 'x-auth-token': 'demo-account-token-full' },
      payload: { query: 'mutation { account { addUserToAccount(input: { email: "deferred@example.com" }) { account { id } } } }' },
    });
    expect(write.json().errors).toBeUndefined();
    expect(worlds.isBaselinePending(worlds.main)).toBe(false);
    expect(filesIn(parent)).toHaveLength(1);
    expect(await exportState(inject)).not.toEqual(initial);

    // a fork of the world shares the baseline file and resets to it as well
    const fork = (await inject({ method: 'POST', url: '/_roster/forks' })).json();
    expect((await addAccountUser(inject, `/f/${fork.id}`, 'in.fork@example.com')).statusCode).toBe(200);
    expect((await inject({ method: 'POST', url: `/f/${fork.id}/_roster/reset` })).statusCode).toBe(200);
    expect(await exportState(inject, `/f/${fork.id}`)).toEqual(initial);
    expect((await inject({ method: 'DELETE', url: `/_roster/forks/${fork.id}` })).statusCode).toBe(204);
    expect(filesIn(parent)).toHaveLength(1);

    expect((await inject({ method: 'POST', url: '/_roster/reset' })).statusCode).toBe(200);
    expect(await exportState(inject)).toEqual(initial);
  });

  it('an in-memory database images to the temporary folder', async () => {
    t = await createAdminTestApp('sqlite', { sqliteImageMemoryBytes: 0 });
    const inject = injector(t);
    expect(filesIn(tmpdir()).length).toBeGreaterThanOrEqual(1);
    expect((await inject({ method: 'POST', url: '/_roster/snapshots', payload: { name: 'mem' } })).statusCode).toBe(201);
    expect((await addAccountUser(inject, '', 'mem.file@example.com')).statusCode).toBe(200);
    expect((await inject({ method: 'POST', url: '/_roster/reset' })).statusCode).toBe(200);
    expect(JSON.stringify(await exportState(inject))).not.toContain('mem.file@example.com');
    const mine = imageFolders(tmpdir());
    await t.close();
    t = undefined;
    for (const folder of mine) expect(existsSync(join(tmpdir(), folder))).toBe(false);
  });

  it("removes the image folders of this host's processes that are gone, and keeps running processes' and other hosts' folders", async () => {
    // the folders are made where the next app's database file will be: a fresh temporary folder per app,
    // so plant them after start-up and take a snapshot (the first image made there) in a second app on the same folder
    t = await createAdminTestApp('sqlite', { sqliteFile: true, sqliteImageMemoryBytes: 0, eagerBaselineRows: 5 });
    const parent = dirname(t.database.sqlite?.name as string);
    const gone = deadPid();
    const dead = join(parent, `${prefix}${gone}-abc123`);
    const alive = join(parent, `${prefix}${process.ppid}-def456`);
    // another machine's or container's process ids mean nothing here: its folders are left alone
    const elsewhere = join(parent, `.roster-images-some_other_host-${gone}-ghi789`);
    for (const folder of [dead, alive, elsewhere]) {
      mkdirSync(folder);
      writeFileSync(join(folder, 'image-1.db'), 'left behind');
    }
    expect((await injector(t)({ method: 'POST', url: '/_roster/snapshots', payload: { name: 'first' } })).statusCode).toBe(201);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(alive)).toBe(true);
    expect(existsSync(elsewhere)).toBe(true);
    expect(filesIn(parent)).toHaveLength(1);
  });
});

import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type RunningProcess, runRoster, waitForHealthy } from '../helpers/processes.js';

/**
 * GraphiQL's first screen in a real browser (headless Chromium, the Debian package; .ci/run
 * installs it when missing), against a real server on loopback serving the demo world: no error
 * in the result pane, the schema loaded (so docs and autocomplete work), and the example runs with
 * the headers the page opened with. (#17 item 4)
 */
const CHROMIUM = '/usr/bin/chromium';
const ACCOUNT = '61db983a-cd07-4d6b-8b59-a5ffe285ca6a';

let server: RunningProcess;
let base: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  const port = await freePort();
  server = runRoster(['serve', '--port', String(port), '--database', 'sqlite::memory:']);
  await waitForHealthy(port);
  base = `http://127.0.0.1:${port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  await server?.exited;
});

/** Opens a GraphiQL page; resolves with the page once its introspection request has been answered. */
async function open(path: string): Promise<{ page: Page; schema: { data?: { __schema?: { queryType?: { name: string } } }; errors?: unknown } }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const introspection = page.waitForResponse((r) => r.request().method() === 'POST' && (r.request().postData() ?? '').includes('__schema'));
  await page.goto(`${base}${path}`);
  const schema = await (await introspection).json();
  await page.locator('.graphiql-container').waitFor();
  return { page, schema };
}

async function resultText(page: Page): Promise<string> {
  return ((await page.locator('.result-window').textContent()) ?? '').replace(/\s+/g, ' ');
}

describe('GraphiQL on a loopback demo server, in Chromium', () => {
  it('Account API: no error on open, the schema loaded, the example runs', async () => {
    const { page, schema } = await open(`/accounts/${ACCOUNT}/graphql`);
    expect(schema.errors).toBeUndefined();
    expect(schema.data?.__schema?.queryType?.name).toBe('Query');
    expect(await resultText(page)).not.toMatch(/error|UNAUTHENTICATED/i);
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => resultText(page), { timeout: 15_000 }).toContain('"totalItems": 3');
    expect(await resultText(page)).not.toMatch(/"errors"/);
    await page.close();
  }, 60_000);

  it('B2B GraphQL: no error on open, the schema loaded, Users runs with the page\'s demo token', async () => {
    const { page, schema } = await open('/graphql');
    expect(schema.errors).toBeUndefined();
    expect(schema.data?.__schema?.queryType?.name).toBeTruthy();
    expect(await resultText(page)).not.toMatch(/error|UNAUTHENTICATED/i);
    // two operations in the editor: the run button asks which one
    await page.locator('.graphiql-execute-button').click();
    await page.getByRole('menuitem', { name: 'Users' }).click();
    await expect.poll(() => resultText(page), { timeout: 15_000 }).toContain('"totalCount": 4');
    expect(await resultText(page)).not.toMatch(/"errors"/);
    await page.close();
  }, 60_000);
});

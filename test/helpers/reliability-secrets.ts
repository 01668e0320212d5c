import { Writable } from 'node:stream';
import { loggerOptions } from '../../src/app.js';
import { createTestApp, demoFixture, type TestApp, type TestAppOptions } from './test-app.js';

/**
 * Every secret of the demo fixture (API tokens, passwords, JWT secrets), plus the JWTs the suites
 * obtain at run time, so logs and responses can be searched for them.
 */
export interface Secret {
  label: string;
  value: string;
}

interface DemoShape {
  accounts: { apiAccounts?: { name: string; token: string }[] }[];
  b2b?: {
    stores: {
      storeHash: string;
      customers?: { email: string; password?: string }[];
      companies?: { users?: { email: string; password?: string }[] }[];
      apiAccounts?: { name: string; token?: string; clientSecret?: string }[];
      legacyAuthTokens?: { name: string; token?: string }[];
    }[];
  };
  settings?: { b2bJwtSecret?: string; storefrontJwtSecrets?: Record<string, string> };
}

export function fixtureSecrets(fixture: unknown = demoFixture): Secret[] {
  const f = fixture as DemoShape;
  const out: Secret[] = [];
  for (const account of f.accounts) for (const api of account.apiAccounts ?? []) out.push({ label: `API token ${api.name}`, value: api.token });
  for (const store of f.b2b?.stores ?? []) {
    // the B2B Management API's credentials (b2b-management-rest.md §2, §12): store-level tokens, their client secrets, legacy authTokens
    for (const api of store.apiAccounts ?? []) {
      if (api.token) out.push({ label: `store API token ${api.name} of ${store.storeHash}`, value: api.token });
      if (api.clientSecret) out.push({ label: `client secret of ${api.name} of ${store.storeHash}`, value: api.clientSecret });
    }
    for (const legacy of store.legacyAuthTokens ?? []) if (legacy.token) out.push({ label: `legacy authToken ${legacy.name} of ${store.storeHash}`, value: legacy.token });
    for (const c of store.customers ?? []) if (c.password) out.push({ label: `password of ${c.email}`, value: c.password });
    for (const company of store.companies ?? []) for (const u of company.users ?? []) if (u.password) out.push({ label: `password of ${u.email}`, value: u.password });
  }
  if (f.settings?.b2bJwtSecret) out.push({ label: 'b2bJwtSecret', value: f.settings.b2bJwtSecret });
  for (const [hash, secret] of Object.entries(f.settings?.storefrontJwtSecrets ?? {})) out.push({ label: `storefront JWT secret of ${hash}`, value: secret });
  // the same value may appear several times (one password for every user)
  return out.filter((s, i) => out.findIndex((o) => o.value === s.value) === i);
}

/** JWTs issued during this test file's run (sign-in responses), searched for like fixture secrets. */
export const issuedSecrets: Secret[] = [];

export function rememberIssued(label: string, value: string): void {
  if (value.length >= 16 && !issuedSecrets.some((s) => s.value === value)) issuedSecrets.push({ label, value });
}

/** The secrets of a fixture other than the demo one this file's apps were built on (searched for as the demo's are). */
export function rememberFixtureSecrets(fixture: unknown): void {
  for (const s of fixtureSecrets(fixture)) if (!issuedSecrets.some((o) => o.value === s.value)) issuedSecrets.push(s);
}

export function allSecrets(): Secret[] {
  return [...fixtureSecrets(), ...issuedSecrets];
}

/** The secrets that occur in `text` (empty when none). */
export function secretsIn(text: string, secrets: Secret[] = allSecrets()): Secret[] {
  return secrets.filter((s) => text.includes(s.value));
}

/** Pino output of every app this test file built through `createLoggedTestApp`. */
export const capturedLogs: string[] = [];

function captureStream(): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      capturedLogs.push(chunk.toString());
      callback();
    },
  });
}

/**
 * createTestApp with the production logger configuration (redaction and serializers of
 * `loggerOptions`) at level trace, writing into `capturedLogs`.
 */
export async function createLoggedTestApp(options: Omit<TestAppOptions, 'logger'>): Promise<TestApp> {
  const base = loggerOptions('trace') as Record<string, unknown>;
  return createTestApp({ ...options, logger: { ...base, stream: captureStream() } as TestAppOptions['logger'] });
}

/** Fails with the secret's label and the log line when any secret reached the logs. */
export function assertLogsFreeOfSecrets(): void {
  const secrets = allSecrets();
  const leaks: string[] = [];
  for (const line of capturedLogs) for (const s of secretsIn(line, secrets)) leaks.push(`${s.label} in log line: ${line.slice(0, 400)}`);
  if (leaks.length > 0) throw new Error(`secrets reached the logs:\n${leaks.slice(0, 20).join('\n')}`);
}

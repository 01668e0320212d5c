/**
 * Webhook scopes of B2B Edition (webhooks.md §1, §10 #17-#18): which exist, which Roster fires,
 * the namespaces that need the B2B scope to register, and wildcard matching.
 */
export const FIRED_SCOPES = [
  'store/company/created',
  'store/company/updated',
  'store/company/deleted',
  'store/company/statusUpdated',
  'store/company/user/created',
  'store/company/user/updated',
  'store/company/user/deleted',
] as const;

export type FiredScope = (typeof FIRED_SCOPES)[number];

/** accepted, never fired (no Super Admins, addresses or quotes in Roster) */
const INERT_B2B_SCOPES = [
  'store/company/superadmin/assignmentUpdated',
  'store/company/address/created',
  'store/company/address/updated',
  'store/company/address/deleted',
  'store/superadmin/created',
  'store/superadmin/updated',
  'store/superadmin/deleted',
  'store/superadmin/assignmentUpdated',
  'store/quote/created',
  'store/quote/updated',
  'store/quote/statusUpdated',
  'store/quote/deleted',
];

const WILDCARDS = ['store/company/*', 'store/company/user/*', 'store/company/address/*', 'store/superadmin/*', 'store/quote/*'];

const KNOWN_B2B = new Set<string>([...FIRED_SCOPES, ...INERT_B2B_SCOPES, ...WILDCARDS]);

const SCOPE_FORM = /^store(\/[A-Za-z0-9_]+)+(\/\*)?$/;

/** a scope of the B2B namespaces (registering it needs `store_b2b_edition`) */
export function isB2bNamespace(scope: string): boolean {
  return scope.startsWith('store/company/') || scope.startsWith('store/superadmin/') || scope.startsWith('store/quote/');
}

export type ScopeCheck = 'ok' | 'invalid' | 'unknown-b2b';

export function checkScope(scope: string): ScopeCheck {
  if (!SCOPE_FORM.test(scope)) return 'invalid';
  if (isB2bNamespace(scope) && !KNOWN_B2B.has(scope)) return 'unknown-b2b';
  return 'ok';
}

/** Does a hook registered for `registered` receive an event of `scope`? (`<prefix>/*` matches by prefix) */
export function scopeMatches(registered: string, scope: string): boolean {
  if (registered === scope) return true;
  return registered.endsWith('/*') && scope.startsWith(registered.slice(0, -1));
}

/** The registered scopes that may receive `scope`: itself and every wildcard above it. */
export function registrationsFor(scope: string): string[] {
  const out = [scope];
  const parts = scope.split('/');
  for (let i = parts.length - 1; i >= 2; i -= 1) out.push(`${parts.slice(0, i).join('/')}/*`);
  return out;
}

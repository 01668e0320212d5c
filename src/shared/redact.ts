/** Query parameters whose values never reach a log line or a journal (account-graphql.md §11 #15). */
const SENSITIVE_QUERY = /([?&](?:jwtToken|jwt_token|token|authToken|password|bcToken)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SENSITIVE_QUERY, '$1[redacted]');
}

const SENSITIVE_KEYS = new Set(['password', 'token', 'authtoken', 'bctoken', 'jwttoken', 'secret', 'passwordconfirmation', 'storefrontlogintoken']);

/** Deep copy with every sensitive field's value replaced. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SENSITIVE_KEYS.has(key.toLowerCase()) ? '[redacted]' : redactValue(item, depth + 1);
  }
  return out;
}

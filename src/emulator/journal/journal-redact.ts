import { type ArgumentNode, GraphQLError, Kind, type ObjectFieldNode, visit } from 'graphql';
import { parseGraphqlDocument } from '../../shared/graphql-document.js';
import { redactUrl } from '../../shared/redact.js';

/**
 * Redaction for everything the emulator shows back (request journal, events): stricter than the
 * log redaction, because bodies are shown whole. Keys that name a secret lose their value, JWTs
 * anywhere in a string are masked, and secrets written inline in a GraphQL document are masked too.
 */
const REDACTED = '[redacted]';
const MAX_SHOWN_DEPTH = 30;
const NESTED_TOO_DEEP = `[nested deeper than ${MAX_SHOWN_DEPTH} levels: not shown]`;

const SECRET_KEY = /password|passwd|token|secret|jwt|authorization|cookie|credential|api[-_]?key/i;
/** header names whose value is a credential */
const SECRET_HEADER = /auth|token|cookie|secret|api[-_]?key|session/i;
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const GRAPHQL_INLINE_SECRET =
  /\b(password|passwordConfirmation|newPassword|currentPassword|token|authToken|bcToken|jwtToken|storefrontLoginToken|customerAccessToken|secret)(\s*:\s*)("(?:[^"\\]|\\.)*"|"""[\s\S]*?""")/gi;

export function redactString(text: string): string {
  // most strings hold no JWT: no regex run for them (every event's before/after goes through here)
  return text.includes('eyJ') ? text.replace(JWT, REDACTED) : text;
}

export function redactGraphqlDocument(query: string): string {
  return redactString(query.replace(GRAPHQL_INLINE_SECRET, (_m, name: string, sep: string) => `${name}${sep}"${REDACTED}"`));
}

/**
 * Variables that a GraphQL document passes into a secret position (`password: $p`, `bcToken: $t`),
 * whatever the variable is called. A document that does not parse cannot say: every variable is
 * then treated as secret.
 */
function secretVariables(query: string): Set<string> | 'all' {
  const document = parseGraphqlDocument(query);
  if (document instanceof GraphQLError) return 'all';
  const names = new Set<string>();
  const check = (node: ArgumentNode | ObjectFieldNode) => {
    if (node.value.kind === Kind.VARIABLE && SECRET_KEY.test(node.name.value)) names.add(node.value.name.value);
  };
  visit(document, { Argument: check, ObjectField: check });
  return names;
}

function redactGraphqlVariables(query: string, variables: unknown, depth: number): unknown {
  if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) return redactJournalValue(variables, depth + 1);
  const secret = secretVariables(query);
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(variables as Record<string, unknown>)) {
    out[name] = secret === 'all' || secret.has(name) || SECRET_KEY.test(name) ? REDACTED : redactJournalValue(item, depth + 1);
  }
  return out;
}

export function redactJournalValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  // deeper values are not shown: they could hide a secret from redaction, and a copy of any depth
  // would make the journal's own JSON answer overflow the stack
  if (depth > MAX_SHOWN_DEPTH) return NESTED_TOO_DEEP;
  if (Array.isArray(value)) return value.map((item) => redactJournalValue(item, depth + 1));
  const record = value as Record<string, unknown>;
  if (typeof record.query === 'string' && record.variables !== undefined) {
    const { variables, ...rest } = record;
    return { ...(redactJournalValue(rest, depth) as Record<string, unknown>), variables: redactGraphqlVariables(record.query, variables, depth) };
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_KEY.test(key) && item !== null && (typeof item === 'string' || typeof item === 'object')) out[key] = REDACTED;
    else if (key === 'query' && typeof item === 'string') out[key] = redactGraphqlDocument(item);
    else out[key] = redactJournalValue(item, depth + 1);
  }
  return out;
}

export function redactHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (SECRET_HEADER.test(name)) out[name] = REDACTED;
    else if (typeof value === 'string') out[name] = redactString(value);
    else if (Array.isArray(value)) out[name] = value.map((v) => (typeof v === 'string' ? redactString(v) : v));
    else out[name] = value;
  }
  return out;
}

export function redactRequestUrl(url: string): string {
  return redactString(redactUrl(url));
}

/**
 * A body as captured (JSON text, other text, bytes, a parsed value): JSON is parsed whole (what is
 * captured is at most 64 KiB) and redacted by key, as a parsed body would be; other text is shown
 * up to `maxChars`, JWTs masked.
 */
export function redactBody(body: unknown, maxChars: number): unknown {
  if (body === undefined || body === null) return body ?? null;
  if (Buffer.isBuffer(body)) body = body.toString('utf8');
  if (typeof body === 'string') {
    const first = body.trimStart()[0];
    if (first === '{' || first === '[') {
      try {
        return redactJournalValue(JSON.parse(body));
      } catch {
        // not JSON after all: shown as text
      }
    }
    return body.length > maxChars ? `${redactString(body.slice(0, maxChars))}…[truncated ${body.length - maxChars} chars]` : redactString(body);
  }
  return redactJournalValue(body);
}

import { AppError } from '../../shared/errors.js';
import { type ApiName, apiNames } from '../../http/api-error-response.js';
import { operationMatches } from './request-journal.js';

/**
 * Fault injection: rules that make matching requests fail in a chosen way, deterministically.
 * A rule matches on any combination of API, operation, token and account/store; it fires on the
 * nth matching call, or with a probability drawn from its own seeded generator, for `times` firings
 * or until deleted. Several rules may match one call: every one counts it, the oldest that fires
 * shapes the response.
 */
export interface FaultMatch {
  api?: ApiName;
  /** GraphQL root field (`userCreate`), `root.child` path (`account.addUserToAccount`), child field
   *  (`addUserToAccount`), operation name, or REST route (`GET /api/v2/users/:userId` or `/api/v2/users/:userId`) */
  operation?: string;
  /** the exact credential sent (X-Auth-Token, Authorization bearer or authToken) */
  token?: string;
  /** account UUID (Account API) or store hash (B2B) */
  account?: string;
  /** fire on exactly the nth matching call (1 = the next one) */
  nth?: number;
  /** fire with this probability (0..1) on each matching call */
  probability?: number;
  /** seed of the probability's generator (default 0): the same seed gives the same sequence */
  seed?: number | string;
}

export interface FaultEffect {
  /** answer this HTTP status with the API's own error body */
  status?: number;
  /** error text (default: the status's usual text) */
  message?: string;
  /** GraphQL APIs: HTTP 200 with `errors[0].extensions.code` = code, `data: null` */
  graphqlError?: { code: string | number; message?: string };
  /** wait this long (ms, real time) before answering; alone, the request then proceeds normally */
  latencyMs?: number;
  /** close the connection without an answer */
  drop?: boolean;
}

export interface FaultRuleInput {
  match?: FaultMatch;
  effect: FaultEffect;
  /** fire at most this many times (default: until deleted; with `nth`, once) */
  times?: number;
}

export interface FaultRule {
  id: string;
  match: FaultMatch;
  effect: FaultEffect;
  times: number | null;
  /** matching calls seen so far */
  matched: number;
  fired: number;
  /** false once `times` firings are used up */
  active: boolean;
}

/** What the emulator knows about a request before it runs. */
export interface RequestFacts {
  api: ApiName | 'other';
  method: string;
  route: string | undefined;
  operation: string | undefined;
  fields: readonly string[];
  isGraphql: boolean;
  token: string | undefined;
  account: string | undefined;
}

export interface FaultRegistry {
  add(input: FaultRuleInput): FaultRule;
  list(): FaultRule[];
  remove(id: string): boolean;
  clear(): void;
  readonly size: number;
  /** counts the call against every matching rule; the oldest rule that fires wins */
  decide(facts: RequestFacts): FaultRule | undefined;
}

/** mulberry32: small, fast, and the same sequence on every platform for a given seed. */
export function seededRandom(seed: number | string): () => number {
  let state = typeof seed === 'number' && Number.isInteger(seed) ? seed >>> 0 : fnv1a(String(seed));
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const bad = (message: string): never => {
  throw new AppError('BAD_REQUEST', message);
};

export function validateFaultRule(input: FaultRuleInput): void {
  const m = input.match ?? {};
  const e = input.effect;
  if (m.api !== undefined && !apiNames.includes(m.api)) bad(`match.api must be one of ${apiNames.join(', ')}`);
  if (m.nth !== undefined && !(Number.isInteger(m.nth) && m.nth >= 1)) bad('match.nth must be a whole number ≥ 1');
  if (m.probability !== undefined && !(typeof m.probability === 'number' && m.probability >= 0 && m.probability <= 1)) bad('match.probability must be between 0 and 1');
  if (m.nth !== undefined && m.probability !== undefined) bad('give match.nth or match.probability, not both');
  if (input.times !== undefined && !(Number.isInteger(input.times) && input.times >= 1)) bad('times must be a whole number ≥ 1');
  const effects = [e.status !== undefined, e.graphqlError !== undefined, e.drop === true].filter(Boolean).length;
  if (effects > 1) bad('effect: give one of status, graphqlError or drop');
  if (effects === 0 && e.latencyMs === undefined) bad('effect: give status, graphqlError, drop or latencyMs');
  if (e.status !== undefined && !(Number.isInteger(e.status) && e.status >= 400 && e.status <= 599)) bad('effect.status must be an HTTP error status (400-599)');
  if (e.latencyMs !== undefined && !(Number.isInteger(e.latencyMs) && e.latencyMs >= 0 && e.latencyMs <= 60_000)) bad('effect.latencyMs must be 0-60000');
  if (e.graphqlError !== undefined && (m.api === 'b2b-rest' || m.api === 'b2b-management' || m.api === 'webhooks')) bad('effect.graphqlError needs a GraphQL API (account-graphql or b2b-graphql)');
}

export function createFaultRegistry(nextId: () => string): FaultRegistry {
  const rules: (FaultRule & { random: (() => number) | undefined })[] = [];
  const matches = (rule: FaultRule, facts: RequestFacts): boolean => {
    const m = rule.match;
    if (m.api !== undefined && facts.api !== m.api) return false;
    if (rule.effect.graphqlError !== undefined && !facts.isGraphql) return false;
    if (m.operation !== undefined && !operationMatches(facts, m.operation)) return false;
    if (m.token !== undefined && facts.token !== m.token) return false;
    if (m.account !== undefined && (facts.account === undefined || facts.account.toLowerCase() !== m.account.toLowerCase())) return false;
    return true;
  };
  return {
    add(input) {
      validateFaultRule(input);
      const match = { ...(input.match ?? {}) };
      const times = input.times ?? (match.nth !== undefined ? 1 : null);
      const rule = {
        id: nextId(),
        match,
        effect: { ...input.effect },
        times,
        matched: 0,
        fired: 0,
        active: true,
        random: match.probability !== undefined ? seededRandom(match.seed ?? 0) : undefined,
      };
      rules.push(rule);
      return present(rule);
    },
    list: () => rules.map(present),
    remove(id) {
      const index = rules.findIndex((r) => r.id === id);
      if (index < 0) return false;
      rules.splice(index, 1);
      return true;
    },
    clear() {
      rules.length = 0;
    },
    get size() {
      return rules.length;
    },
    decide(facts) {
      let winner: (typeof rules)[number] | undefined;
      for (const rule of rules) {
        if (!rule.active || !matches(rule, facts)) continue;
        rule.matched += 1;
        let fires: boolean;
        if (rule.match.nth !== undefined) fires = rule.matched === rule.match.nth;
        else if (rule.random !== undefined) fires = rule.random() < (rule.match.probability as number);
        else fires = true;
        if (fires && winner === undefined) {
          winner = rule;
          rule.fired += 1;
          if (rule.times !== null && rule.fired >= rule.times) rule.active = false;
        }
      }
      return winner ? present(winner) : undefined;
    },
  };
}

function present(rule: FaultRule): FaultRule {
  return { id: rule.id, match: rule.match, effect: rule.effect, times: rule.times, matched: rule.matched, fired: rule.fired, active: rule.active };
}

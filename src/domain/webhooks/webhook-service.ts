import type { Database } from '../../db/database.js';
import { isUniqueViolation } from '../../db/db-errors.js';
import { allocateIds } from '../../db/id-counters.js';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import { commitWithEvents, type EventSink } from '../domain-events.js';
import { checkDestination, isValidHeader, MAX_WEBHOOKS_PER_SCOPE, type WebhookDestinationRule } from './webhook-rules.js';
import { checkScope, isB2bNamespace } from './webhook-scopes.js';
import {
  cancelPendingDeliveries,
  countWebhooks,
  deleteWebhookRow,
  findWebhook,
  insertWebhook,
  listWebhooks,
  updateWebhook,
  type Webhook,
  type WebhookFilters,
  type WebhookValues,
} from './webhook-repository.js';

/**
 * The webhooks registration API's rules (webhooks.md §4): who may register what, the body checks of
 * §4.4 (all type and format problems together, then uniqueness and limits), visibility by
 * `client_id`. Hooks are world state; their changes are world events (`webhook.*`).
 */
export interface WebhookCaller {
  storeHash: string;
  clientId: string;
  /** holds `store_b2b_edition` (needed for scopes of the B2B namespaces) */
  mayUseB2b: boolean;
}

type Errors = Record<string, string>;

function invalid(errors: Errors): AppError {
  return new AppError('WEBHOOK_INVALID', undefined, { errors });
}

export function notFound(idAsSent: string): AppError {
  return new AppError('WEBHOOK_NOT_FOUND', `Webhook with id [${idAsSent}] not found`);
}

/** The four fields of a body, type- and format-checked; absent ones stay undefined. */
function readFields(body: Record<string, unknown>, errors: Errors, rule: WebhookDestinationRule): Partial<WebhookValues> {
  const out: Partial<WebhookValues> = {};
  if (body.scope !== undefined) {
    if (typeof body.scope !== 'string') errors.scope = 'error.expected.jsstring.';
    else {
      const check = checkScope(body.scope);
      if (check === 'invalid') errors.scope = 'Invalid scope.';
      else if (check === 'unknown-b2b') errors.scope = 'Unknown B2B Edition scope.';
      else out.scope = body.scope;
    }
  }
  if (body.destination !== undefined) {
    if (typeof body.destination !== 'string') errors.destination = 'error.expected.jsstring.';
    else {
      const check = checkDestination(body.destination, rule);
      if (check === 'invalid') errors.destination = 'Invalid destination URL.';
      else if (check === 'not-https-443') errors.destination = 'Destination must be an HTTPS URL served on port 443.';
      else out.destination = body.destination;
    }
  }
  if (body.is_active !== undefined) {
    if (typeof body.is_active !== 'boolean') errors.is_active = 'error.expected.jsboolean.';
    else out.isActive = body.is_active;
  }
  if (body.headers !== undefined) {
    if (body.headers !== null && (typeof body.headers !== 'object' || Array.isArray(body.headers))) errors.headers = 'error.expected.jsobject.';
    else if (body.headers === null) out.headers = null;
    else {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(body.headers as Record<string, unknown>)) {
        if (!isValidHeader(name, value)) {
          errors.headers = 'Invalid header name or value.';
          break;
        }
        headers[name] = value;
      }
      if (errors.headers === undefined) out.headers = headers;
    }
  }
  return out;
}

export function createWebhookService(deps: { database: Database; clock: Clock; events: EventSink | undefined; rule: () => WebhookDestinationRule }) {
  const db = deps.database.kysely;

  /** §4.1: a B2B-namespace scope needs `store_b2b_edition` */
  function assertMayRegister(caller: WebhookCaller, scope: string | undefined): void {
    if (scope !== undefined && isB2bNamespace(scope) && !caller.mayUseB2b) throw new AppError('WEBHOOK_FORBIDDEN');
  }

  async function assertRoom(caller: WebhookCaller, values: WebhookValues, exceptId?: number): Promise<void> {
    const same = await listWebhooks(db, caller.storeHash, caller.clientId, { scope: values.scope, destination: values.destination });
    if (same.some((w) => w.id !== exceptId)) throw invalid({ destination: 'A webhook for this scope and destination already exists.' });
    const count = await countWebhooks(db, caller.storeHash, caller.clientId, values.scope);
    const own = exceptId !== undefined && (await findWebhook(db, caller.storeHash, caller.clientId, exceptId))?.scope === values.scope ? 1 : 0;
    if (count - own >= MAX_WEBHOOKS_PER_SCOPE) throw invalid({ scope: 'A maximum of 10 webhooks per scope is allowed.' });
  }

  const translateUnique = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) throw invalid({ destination: 'A webhook for this scope and destination already exists.' });
      throw error;
    }
  };

  return {
    async create(caller: WebhookCaller, body: Record<string, unknown>): Promise<Webhook> {
      const errors: Errors = {};
      if (typeof body.scope === 'string') assertMayRegister(caller, body.scope);
      const fields = readFields(body, errors, deps.rule());
      if (body.scope === undefined) errors.scope = 'error.path.missing.';
      if (body.destination === undefined) errors.destination = 'error.path.missing.';
      if (Object.keys(errors).length > 0) throw invalid(orderErrors(errors));
      const values: WebhookValues = { scope: fields.scope as string, destination: fields.destination as string, isActive: fields.isActive ?? true, headers: fields.headers ?? null };
      await assertRoom(caller, values);
      const now = deps.clock.now();
      return translateUnique(() =>
        commitWithEvents(deps.database, deps.events, async (trx, events) => {
          const id = await allocateIds(trx, 'webhooks');
          await insertWebhook(trx, { id, storeHash: caller.storeHash, clientId: caller.clientId, values, now });
          const created = await findWebhook(trx, caller.storeHash, caller.clientId, id);
          if (!created) throw new AppError('INTERNAL');
          events.push({ type: 'webhook.created', subject: { storeHash: caller.storeHash, webhookId: id, clientId: caller.clientId }, before: null, after: redacted(created) });
          return created;
        }),
      );
    },

    async list(caller: WebhookCaller, filters: WebhookFilters): Promise<Webhook[]> {
      return listWebhooks(db, caller.storeHash, caller.clientId, filters);
    },

    async get(caller: WebhookCaller, id: number | undefined, idAsSent: string): Promise<Webhook> {
      const hook = id === undefined ? undefined : await findWebhook(db, caller.storeHash, caller.clientId, id);
      if (!hook) throw notFound(idAsSent);
      return hook;
    },

    async update(caller: WebhookCaller, id: number | undefined, idAsSent: string, body: Record<string, unknown>): Promise<Webhook> {
      const current = id === undefined ? undefined : await findWebhook(db, caller.storeHash, caller.clientId, id);
      if (!current) throw notFound(idAsSent);
      const errors: Errors = {};
      if (typeof body.scope === 'string') assertMayRegister(caller, body.scope);
      const fields = readFields(body, errors, deps.rule());
      if (['scope', 'destination', 'is_active', 'headers'].every((k) => body[k] === undefined)) errors.body = 'At least one field is required.';
      if (Object.keys(errors).length > 0) throw invalid(orderErrors(errors));
      const values: WebhookValues = {
        scope: fields.scope ?? current.scope,
        destination: fields.destination ?? current.destination,
        isActive: fields.isActive ?? current.isActive,
        headers: fields.headers !== undefined ? fields.headers : current.headers,
      };
      const changed = values.scope !== current.scope || values.destination !== current.destination || values.isActive !== current.isActive || JSON.stringify(values.headers) !== JSON.stringify(current.headers);
      if (!changed) return current;
      if (values.scope !== current.scope || values.destination !== current.destination) await assertRoom(caller, values, current.id);
      const now = deps.clock.now();
      return translateUnique(() =>
        commitWithEvents(deps.database, deps.events, async (trx, events) => {
          await updateWebhook(trx, current.id, values, Math.max(now, current.updatedAt));
          if (!values.isActive) await cancelPendingDeliveries(trx, current.id, now);
          const updated = await findWebhook(trx, caller.storeHash, caller.clientId, current.id);
          if (!updated) throw notFound(idAsSent);
          events.push({ type: 'webhook.updated', subject: { storeHash: caller.storeHash, webhookId: current.id, clientId: caller.clientId }, before: redacted(current), after: redacted(updated) });
          return updated;
        }),
      );
    },

    async delete(caller: WebhookCaller, id: number | undefined, idAsSent: string): Promise<Webhook> {
      const current = id === undefined ? undefined : await findWebhook(db, caller.storeHash, caller.clientId, id);
      if (!current) throw notFound(idAsSent);
      const now = deps.clock.now();
      await commitWithEvents(deps.database, deps.events, async (trx, events) => {
        await deleteWebhookRow(trx, current.id);
        await cancelPendingDeliveries(trx, current.id, now);
        events.push({ type: 'webhook.deleted', subject: { storeHash: caller.storeHash, webhookId: current.id, clientId: caller.clientId }, before: redacted(current), after: null });
      });
      return current;
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
export type { WebhookDestinationRule };

/** a hook as events show it: custom header values are secrets (§7.3) */
export function redacted(hook: Webhook): Webhook {
  return { ...hook, headers: hook.headers === null ? null : Object.fromEntries(Object.keys(hook.headers).map((k) => [k, '***'])) };
}

function orderErrors(errors: Errors): Errors {
  const out: Errors = {};
  for (const key of ['scope', 'destination', 'is_active', 'headers', 'body']) if (errors[key] !== undefined) out[key] = errors[key];
  return out;
}

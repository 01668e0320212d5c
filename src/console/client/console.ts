/**
 * The Roster console's browser script (served at /_roster/ui/assets/console.js; see
 * ../console-assets.ts). No framework and no imports: a hash router over a handful of pages, each
 * reading the /_roster JSON endpoints of the chosen world. Text is only ever set with textContent,
 * never parsed as HTML, so values from the journal cannot inject markup.
 */

export {};

type Json = Record<string, unknown>;
type Child = Node | string | number | null | undefined | false;

const TOKEN_KEY = 'roster.adminToken';
const WORLD_KEY = 'roster.world';
/** /_roster (the shell is at /_roster/ui); a fork's shell at /f/{id}/_roster/ui reads the main world's controls the same way */
const MAIN_BASE = location.pathname.replace(/\/ui\/?$/, '').replace(/^\/f\/[^/]+/, '');
const POLL_MS = 1000;

class Unauthorized extends Error {}

function el(tag: string, attrs: Record<string, string | boolean | ((e: Event) => void) | undefined> = {}, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') node.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function currentWorld(): string {
  return sessionStorage.getItem(WORLD_KEY) ?? 'main';
}

function worldBase(world = currentWorld()): string {
  return world === 'main' ? MAIN_BASE : `/f/${encodeURIComponent(world)}${MAIN_BASE}`;
}

async function api<T = Json>(method: string, path: string, body?: unknown, base = worldBase()): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (res.status === 401) throw new Unauthorized('admin token required');
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as Json;
  if (!res.ok) {
    const error = data.error as { code?: string; message?: string } | undefined;
    throw new Error(`${res.status} ${error?.code ?? ''}: ${error?.message ?? res.statusText}`);
  }
  return data as T;
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

function table(headers: string[], rows: HTMLElement[], attrs: Record<string, string> = {}): HTMLElement {
  return el(
    'div',
    { class: 'table-wrap' },
    el('table', attrs, el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col', class: /^(#|Users|Stores|Used|Limit|Remaining|Window|Reset|Status|Matched|Fired|Attempts|Companies|Seq|ms)/.test(h) ? 'num' : undefined }, h)))), el('tbody', {}, ...rows)),
  );
}

function cell(value: Child, cls?: string): HTMLElement {
  return el('td', cls ? { class: cls } : {}, value);
}

function pretty(value: unknown): HTMLElement {
  return el('pre', {}, JSON.stringify(value, null, 2) ?? 'null');
}

function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 1000) return `${(ms / 1000).toLocaleString('en')} s`;
  return `${ms} ms`;
}

/** A clickable table row, opened with Enter or Space too. */
function openRow(onOpen: () => void, ...cells: HTMLElement[]): HTMLElement {
  const row = el('tr', { tabindex: '0', onclick: onOpen, onkeydown: (e) => {
    const key = (e as KeyboardEvent).key;
    if (key === 'Enter' || key === ' ') {
      e.preventDefault();
      onOpen();
    }
  } }, ...cells);
  return row;
}

/**
 * Rows of a journal the admin API answers oldest first (`since`: only later seqs), loaded on open, by
 * polls and after Apply: a load that overlaps another (Apply during a poll) adds no row twice, and a
 * load started before `reset()` (new filters) is dropped.
 */
function journalFeed(fetch: (since: number | undefined) => Promise<Json[]>, add: (row: Json) => void) {
  let since = 0;
  let epoch = 0;
  return {
    reset() {
      since = 0;
      epoch += 1;
    },
    async load() {
      const started = epoch;
      const rows = await fetch(since || undefined);
      if (started !== epoch) return;
      for (const row of rows) {
        if ((row.seq as number) <= since) continue;
        since = row.seq as number;
        add(row);
      }
    },
  };
}

function selectRow(row: HTMLElement): void {
  for (const other of row.parentElement?.querySelectorAll('tr.selected') ?? []) other.classList.remove('selected');
  row.classList.add('selected');
}

function formValues(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form).entries()) out[k] = String(v).trim();
  return out;
}

function field(label: string, input: HTMLElement): HTMLElement {
  return el('label', {}, label, input);
}

function options(values: readonly string[], selected = '', blank = 'any'): HTMLElement[] {
  return [el('option', { value: '' }, blank), ...values.map((v) => el('option', { value: v, selected: v === selected }, v))];
}

// ---------------------------------------------------------------- pages

type Page = (main: HTMLElement, ctx: PageContext) => Promise<void>;
interface PageContext {
  /** params after the page name: #/tenants/user/42 → ['user', '42'] */
  args: string[];
  /** called every POLL_MS while the page is shown */
  poll(fn: () => Promise<void>): void;
  /** shows an error next to the page heading */
  fail(error: unknown): void;
  rerender(): void;
}

const pages: Record<string, Page> = {
  async overview(main, ctx) {
    const [root, forks, rateLimits, counts] = await Promise.all([
      api<Json & { clock: { now: string; frozen: boolean; epochMs: number } }>('GET', '/'),
      api<{ forks: Json[] }>('GET', '/forks', undefined, worldBase('main')),
      api<{ quotas: Record<string, { requests: number; windowMs: number } | null>; overrides: Json[]; buckets: Json[] }>('GET', '/rate-limits'),
      api<{ totals: Record<string, number>; accounts: Json[]; b2bStores: Json[] }>('GET', '/tenants/summary'),
    ]);
    const clock = root.clock;
    const advance = el('input', { id: 'advance-ms', name: 'advanceMs', type: 'number', value: '60000', step: '1000', required: true }) as HTMLInputElement;
    const clockAction = (body: Json) => async () => {
      try {
        await api('POST', '/clock', body);
        ctx.rerender();
      } catch (e) {
        ctx.fail(e);
      }
    };
    main.append(
      el('h2', {}, 'Overview'),
      el('section', { 'aria-labelledby': 'h-world' },
        el('h3', { id: 'h-world' }, `World ${String(root.world)}`),
        el('div', { class: 'cards' },
          ...Object.entries(counts.totals).map(([k, v]) => el('div', { class: 'card' }, el('div', { class: 'n', 'data-testid': `total-${k}` }, v.toLocaleString('en')), el('div', { class: 'l' }, k))),
          el('div', { class: 'card' }, el('div', { class: 'n', 'data-testid': 'data-version' }, String(root.dataVersion)), el('div', { class: 'l' }, 'data version')),
        ),
      ),
      el('section', { 'aria-labelledby': 'h-clock' },
        el('h3', { id: 'h-clock' }, 'Clock'),
        el('p', {}, el('strong', { 'data-testid': 'clock-now' }, clock.now), ' ', el('span', { 'data-testid': 'clock-mode', class: 'muted' }, clock.frozen ? 'frozen' : 'real time')),
        el('form', { class: 'inline', 'aria-label': 'Clock', onsubmit: (e) => {
          e.preventDefault();
          void clockAction({ advanceMs: Number(advance.value) })();
        } },
          el('button', { type: 'button', onclick: clockAction({ freeze: true }) }, 'Freeze'),
          el('button', { type: 'button', onclick: clockAction({ real: true }), disabled: !clock.frozen }, 'Back to real time'),
          field('Advance by (ms)', advance),
          el('button', { type: 'submit' }, 'Advance'),
        ),
      ),
      el('section', { 'aria-labelledby': 'h-forks' },
        el('h3', { id: 'h-forks' }, `Worlds and forks`),
        table(['World', 'Parent', 'Base URL', 'Created'], [
          el('tr', {}, cell('main'), cell('—'), cell(`${location.origin}/`), cell('')),
          ...forks.forks.map((f) => el('tr', { 'data-testid': 'fork-row' }, cell(String(f.id)), cell(String(f.parent ?? 'main')), cell(String(f.url)), cell(String(f.createdAt)))),
        ]),
      ),
      el('section', { 'aria-labelledby': 'h-tenants' },
        el('h3', { id: 'h-tenants' }, 'Tenants (the first 20: see Tenants for all)'),
        table(['Account', 'Name', 'Users', 'Stores'], counts.accounts.map((a) => el('tr', { 'data-testid': 'account-count-row' }, cell(el('a', { href: `#/tenants/account/${String(a.uuid)}` }, String(a.uuid))), cell(String(a.name)), cell(String(a.userCount), 'num'), cell(String(a.storeCount), 'num')))),
        table(['B2B store', 'Companies', 'Users'], counts.b2bStores.map((s) => el('tr', { 'data-testid': 'b2b-count-row' }, cell(el('a', { href: `#/tenants/b2b/${String(s.storeHash)}` }, String(s.storeHash))), cell(String(s.companyCount), 'num'), cell(String(s.userCount), 'num')))),
      ),
      el('section', { 'aria-labelledby': 'h-quotas' },
        el('h3', { id: 'h-quotas' }, 'Rate limits'),
        table(['Kind', 'Quota'], Object.entries(rateLimits.quotas).map(([k, q]) => el('tr', {}, cell(k), cell(q ? `${q.requests} requests / ${fmtMs(q.windowMs)}` : 'off', undefined)))),
        rateLimits.overrides.length > 0 ? table(['Override kind', 'Key', 'Setting'], rateLimits.overrides.map((o) => el('tr', {}, cell(String(o.kind)), cell(String(o.key ?? 'all')), cell(JSON.stringify(o.setting))))) : null,
        table(['Bucket', 'Used', 'Limit', 'Remaining', 'Window', 'Reset in'], rateLimits.buckets.map((b) => el('tr', { 'data-testid': 'bucket-row', 'data-key': String(b.key) }, cell(String(b.key)), cell(String(b.used), 'num'), cell(String(b.limit ?? '—'), 'num'), cell(String(b.remaining ?? '—'), 'num'), cell(fmtMs(b.windowMs as number | null), 'num'), cell(fmtMs(b.resetMs as number | null), 'num')))),
        rateLimits.buckets.length === 0 ? el('p', { class: 'muted' }, 'No request counted in the current windows.') : null,
      ),
    );
  },

  async requests(main, ctx) {
    const openapi = await api<{ paths: Record<string, { get?: { parameters?: { name: string; schema: { enum?: string[] } }[] } }> }>('GET', '/openapi.json', undefined, worldBase('main'));
    const apis = openapi.paths['/_roster/requests']?.get?.parameters?.find((p) => p.name === 'api')?.schema.enum ?? [];
    const filters = { api: '', operation: '', status: '', method: '' };
    const body = el('tbody', { 'data-testid': 'requests-body' });
    const detail = el('div', { 'aria-live': 'polite' }, el('p', { class: 'muted' }, 'Choose a request to see it.'));
    const live = el('input', { type: 'checkbox', id: 'live', checked: true }) as HTMLInputElement;
    const count = el('span', { 'data-testid': 'requests-count' }, '0');
    const form = el('form', { class: 'inline', 'aria-label': 'Filters', onsubmit: (e) => {
      e.preventDefault();
      Object.assign(filters, formValues(form as HTMLFormElement));
      feed.reset();
      body.replaceChildren();
      count.textContent = '0';
      void load().catch(ctx.fail);
    } },
      field('API', el('select', { name: 'api' }, ...options(apis))),
      field('Operation', el('input', { name: 'operation', placeholder: 'users, GET /api/v2/users' })),
      field('Status', el('input', { name: 'status', placeholder: '404 or 4xx', size: '8' })),
      field('Method', el('input', { name: 'method', placeholder: 'POST', size: '6' })),
      el('button', { type: 'submit' }, 'Apply'),
      el('label', { class: 'check' }, live, 'Live'),
    ) as HTMLFormElement;
    const show = (r: Json, row: HTMLElement) => {
      selectRow(row);
      detail.replaceChildren(
        el('h3', {}, `${String(r.method)} ${String(r.url)} → ${String(r.status)}`),
        el('p', { class: 'muted' }, `#${String(r.seq)} · ${String(r.at)} · ${String(r.api)} · ${String(r.operation ?? '')} · ${String(r.durationMs)} ms · principal ${JSON.stringify(r.principal)}${r.fault ? ` · fault ${String(r.fault)}` : ''}`),
        el('h3', {}, 'Request'),
        pretty(r.request),
        el('h3', {}, 'Response'),
        pretty(r.response),
      );
    };
    const feed = journalFeed(
      async (since) => (await api<{ requests: Json[] }>('GET', `/requests${query({ ...filters, since, limit: since ? 500 : 100 })}`)).requests,
      (r) => {
        const row: HTMLElement = openRow(() => show(r, row), cell(String(r.seq), 'num'), cell(String(r.at).slice(11, 23), 'hide-narrow'), cell(String(r.api)), cell(r.operation ? String(r.operation) : `${String(r.method)} ${String(r.url)}`, 'wide'), cell(String(r.status), `num status-${String(r.status).charAt(0)}`), cell(String(r.durationMs), 'num hide-narrow'));
        row.dataset.seq = String(r.seq);
        row.dataset.testid = 'request-row';
        body.prepend(row);
      },
    );
    const load = async () => {
      await feed.load();
      while (body.children.length > 500) body.lastElementChild?.remove();
      count.textContent = String(body.children.length);
    };
    main.append(
      el('h2', {}, 'Requests'),
      form,
      el('p', { class: 'muted' }, 'Newest first; ', count, ' shown. Bodies and headers are redacted by the journal.'),
      el('div', { class: 'split' },
        el('div', { class: 'table-wrap' }, el('table', { 'aria-label': 'Requests' }, el('thead', {}, el('tr', {}, ...['Seq', 'At', 'API', 'Operation', 'Status', 'ms'].map((h, i) => el('th', { scope: 'col', class: i === 5 ? 'num hide-narrow' : i === 0 || i === 4 ? 'num' : i === 1 ? 'hide-narrow' : undefined }, h)))), body)),
        detail,
      ),
    );
    await load();
    ctx.poll(async () => {
      if (live.checked) await load();
    });
  },

  async events(main, ctx) {
    let type = '';
    const body = el('tbody', { 'data-testid': 'events-body' });
    const detail = el('div', { 'aria-live': 'polite' }, el('p', { class: 'muted' }, 'Choose an event to see its before/after.'));
    const show = (ev: Json, row: HTMLElement) => {
      selectRow(row);
      detail.replaceChildren(el('h3', {}, `${String(ev.type)} #${String(ev.seq)}`), el('p', { class: 'muted' }, `${String(ev.at)} · ${String(ev.source)} · request ${String(ev.requestId ?? '—')}`), pretty(ev.subject), diffTable(ev.before, ev.after));
    };
    const feed = journalFeed(
      async (since) => (await api<{ events: Json[] }>('GET', `/events${query({ type, since, limit: since ? 500 : 200 })}`)).events,
      (ev) => {
        const row: HTMLElement = openRow(() => show(ev, row), cell(String(ev.seq), 'num'), cell(String(ev.at).slice(11, 23), 'hide-narrow'), cell(String(ev.type)), cell(JSON.stringify(ev.subject), 'wide'));
        row.dataset.testid = 'event-row';
        body.prepend(row);
      },
    );
    const load = async () => {
      await feed.load();
      while (body.children.length > 500) body.lastElementChild?.remove();
    };
    const typeInput = el('input', { name: 'type', placeholder: 'company.user' }) as HTMLInputElement;
    main.append(
      el('h2', {}, 'Events'),
      el('form', { class: 'inline', 'aria-label': 'Filters', onsubmit: (e) => {
        e.preventDefault();
        type = typeInput.value.trim();
        feed.reset();
        body.replaceChildren();
        void load().catch(ctx.fail);
      } }, field('Type or prefix', typeInput), el('button', { type: 'submit' }, 'Apply')),
      el('div', { class: 'split' }, el('div', { class: 'table-wrap' }, el('table', { 'aria-label': 'Events' }, el('thead', {}, el('tr', {}, el('th', { class: 'num' }, 'Seq'), el('th', { class: 'hide-narrow' }, 'At'), el('th', {}, 'Type'), el('th', {}, 'Subject'))), body)), detail),
    );
    await load();
    ctx.poll(load);
  },

  async faults(main, ctx) {
    const [{ faults }, openapi] = await Promise.all([api<{ faults: Json[] }>('GET', '/faults'), api<{ paths: Record<string, { get?: { parameters?: { name: string; schema: { enum?: string[] } }[] } }> }>('GET', '/openapi.json', undefined, worldBase('main'))]);
    const apis = openapi.paths['/_roster/requests']?.get?.parameters?.find((p) => p.name === 'api')?.schema.enum?.filter((a) => a !== 'other') ?? [];
    const act = (fn: () => Promise<unknown>) => async () => {
      try {
        await fn();
        ctx.rerender();
      } catch (e) {
        ctx.fail(e);
      }
    };
    const form = el('form', { class: 'inline', 'aria-label': 'Add a fault rule', onsubmit: (e) => {
      e.preventDefault();
      const v = formValues(form as HTMLFormElement);
      const match: Json = {};
      if (v.api) match.api = v.api;
      if (v.operation) match.operation = v.operation;
      if (v.nth) match.nth = Number(v.nth);
      const effect: Json = {};
      if (v.status) effect.status = Number(v.status);
      if (v.latencyMs) effect.latencyMs = Number(v.latencyMs);
      const rule: Json = { match, effect };
      if (v.times) rule.times = Number(v.times);
      void act(() => api('POST', '/faults', rule))();
    } },
      field('API', el('select', { name: 'api' }, ...options(apis))),
      field('Operation', el('input', { name: 'operation', placeholder: 'users or GET /api/v2/users' })),
      field('Nth call', el('input', { name: 'nth', type: 'number', min: '1', size: '4' })),
      field('Status', el('input', { name: 'status', type: 'number', min: '400', max: '599', size: '4' })),
      field('Latency (ms)', el('input', { name: 'latencyMs', type: 'number', min: '0', max: '60000', size: '6' })),
      field('Times', el('input', { name: 'times', type: 'number', min: '1', size: '4' })),
      el('button', { type: 'submit' }, 'Add fault'),
    ) as HTMLFormElement;
    main.append(
      el('h2', {}, 'Faults'),
      form,
      table(['Id', 'Match', 'Effect', 'Times', 'Matched', 'Fired', 'Active', ''], faults.map((f) => el('tr', { 'data-testid': 'fault-row', 'data-id': String(f.id) }, cell(String(f.id)), cell(JSON.stringify(f.match), 'wide'), cell(JSON.stringify(f.effect), 'wide'), cell(String(f.times ?? '∞'), 'num'), cell(String(f.matched), 'num'), cell(String(f.fired), 'num'), cell(f.active ? 'yes' : 'no'), cell(el('button', { type: 'button', class: 'danger', 'aria-label': `Remove fault ${String(f.id)}`, onclick: act(() => api('DELETE', `/faults/${encodeURIComponent(String(f.id))}`)) }, 'Remove'))))),
      faults.length === 0 ? el('p', { class: 'muted' }, 'No fault rule.') : el('button', { type: 'button', class: 'danger', onclick: () => {
        if (confirm('Remove every fault rule of this world?')) void act(() => api('DELETE', '/faults'))();
      } }, 'Remove all'),
    );
  },

  async snapshots(main, ctx) {
    const { snapshots } = await api<{ snapshots: { name: string; createdAt: string }[] }>('GET', '/snapshots');
    const act = (question: string | undefined, fn: () => Promise<unknown>) => async () => {
      if (question !== undefined && !confirm(question)) return;
      try {
        await fn();
        ctx.rerender();
      } catch (e) {
        ctx.fail(e);
      }
    };
    const name = el('input', { name: 'name', required: true, pattern: '[A-Za-z0-9._-]{1,100}', placeholder: 'before-test' }) as HTMLInputElement;
    const all = el('input', { type: 'checkbox', name: 'all' }) as HTMLInputElement;
    main.append(
      el('h2', {}, 'Snapshots and reset'),
      el('form', { class: 'inline', 'aria-label': 'Take a snapshot', onsubmit: (e) => {
        e.preventDefault();
        void act(undefined, () => api('POST', '/snapshots', { name: name.value.trim() }))();
      } }, field('Snapshot name', name), el('button', { type: 'submit' }, 'Take snapshot')),
      table(['Name', 'Taken', ''], snapshots.map((s) => el('tr', { 'data-testid': 'snapshot-row', 'data-name': s.name }, cell(s.name), cell(s.createdAt), cell(el('span', { class: 'toolbar' },
        el('button', { type: 'button', 'aria-label': `Restore snapshot ${s.name}`, onclick: act(`Restore snapshot "${s.name}"? The world's current data is replaced.`, () => api('POST', `/snapshots/${encodeURIComponent(s.name)}/restore`)) }, 'Restore'),
        el('button', { type: 'button', class: 'danger', 'aria-label': `Delete snapshot ${s.name}`, onclick: act(`Delete snapshot "${s.name}"?`, () => api('DELETE', `/snapshots/${encodeURIComponent(s.name)}`)) }, 'Delete'),
      ))))),
      snapshots.length === 0 ? el('p', { class: 'muted' }, 'No snapshot of this world.') : '',
      el('h3', {}, 'Reset'),
      el('form', { class: 'inline', 'aria-label': 'Reset the world', onsubmit: (e) => {
        e.preventDefault();
        void act(`Reset world "${currentWorld()}" to its fixture? Every change since is lost.`, () => api('POST', '/reset', all.checked ? { all: true } : {}))();
      } }, el('label', { class: 'check' }, all, 'Also clear faults, journal, events and quota overrides'), el('button', { type: 'submit', class: 'danger' }, 'Reset world')),
    );
  },

  async webhooks(main, ctx) {
    const state = ctx.args[0] ?? '';
    const [{ deliveries }, { blocklist }] = await Promise.all([
      api<{ deliveries: Json[] }>('GET', `/webhooks/deliveries${query({ state, limit: 200 })}`),
      api<{ blocklist: Json[] }>('GET', '/webhooks/blocklist'),
    ]);
    const detail = el('div', { 'aria-live': 'polite' }, el('p', { class: 'muted' }, 'Choose a delivery to see its attempts and payload.'));
    const show = (d: Json, row: HTMLElement) => {
      selectRow(row);
      const attempts = (d.attempts as Json[]) ?? [];
      detail.replaceChildren(
        el('h3', {}, `${String(d.scope)} → ${String(d.destination)}`),
        el('p', { class: 'muted' }, `delivery ${String(d.id)} · webhook ${String(d.webhookId)} · ${String(d.state)} · next attempt ${String(d.nextAttemptAt ?? '—')}`),
        el('button', { type: 'button', onclick: async () => {
          try {
            await api('POST', `/webhooks/deliveries/${encodeURIComponent(String(d.id))}/redeliver`, {});
            ctx.rerender();
          } catch (e) {
            ctx.fail(e);
          }
        } }, 'Redeliver'),
        el('span', { class: 'muted' }, ' sends a copy now, as a new delivery with its own id'),
        el('h3', {}, 'Attempts'),
        table(['#', 'Due', 'Sent', 'Outcome', 'HTTP status', 'Error', 'ms', 'Response'], attempts.map((a) => el('tr', { 'data-testid': 'attempt-row' }, cell(String(a.n), 'num'), cell(String(a.dueAt)), cell(String(a.sentAt ?? '—')), cell(String(a.outcome)), cell(String(a.httpStatus ?? '—'), 'num'), cell(String(a.error ?? '—')), cell(String(a.durationMs), 'num'), cell(String(a.responseExcerpt ?? ''))))),
        el('h3', {}, 'Payload'),
        pretty(d.payload),
      );
    };
    const stateSelect = el('select', { name: 'state', onchange: (e) => {
      location.hash = `#/webhooks/${(e.target as HTMLSelectElement).value}`;
    } }, ...options(['pending', 'succeeded', 'failed', 'cancelled', 'recorded'], state)) as HTMLSelectElement;
    main.append(
      el('h2', {}, 'Webhook deliveries'),
      el('div', { class: 'toolbar' }, field('State', stateSelect), el('button', { type: 'button', onclick: async () => {
        try {
          await api('POST', '/webhooks/drain', {});
          ctx.rerender();
        } catch (e) {
          ctx.fail(e);
        }
      } }, 'Drain due attempts')),
      el('div', { class: 'split' },
        table(['Delivery', 'Scope', 'Store', 'State', 'Attempts', 'Last status'], deliveries.map((d) => {
          const attempts = (d.attempts as Json[]) ?? [];
          const last = attempts[attempts.length - 1];
          const row: HTMLElement = openRow(() => show(d, row), cell(String(d.id), 'wide'), cell(String(d.scope), 'wide'), cell(String(d.storeHash)), cell(String(d.state)), cell(String(attempts.length), 'num'), cell(String(last?.httpStatus ?? last?.error ?? '—'), 'num'));
          row.dataset.testid = 'delivery-row';
          return row;
        })),
        detail,
      ),
      deliveries.length === 0 ? el('p', { class: 'muted' }, 'No delivery.') : '',
      el('h3', {}, 'Blocklist'),
      blocklist.length === 0 ? el('p', { class: 'muted' }, 'Nothing blocklisted.') : table(Object.keys(blocklist[0] ?? {}), blocklist.map((b) => el('tr', {}, ...Object.values(b).map((v) => cell(String(v)))))),
    );
  },

  async tenants(main, ctx) {
    await tenantsPage(main, ctx);
  },
};

/** before/after as a table of the paths that differ (objects flattened to dotted paths). */
function diffTable(before: unknown, after: unknown): HTMLElement {
  const flat = (value: unknown, prefix: string, out: Map<string, string>) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const entries = Object.entries(value as Json);
      if (entries.length === 0) out.set(prefix || '(value)', '{}');
      for (const [k, v] of entries) flat(v, prefix ? `${prefix}.${k}` : k, out);
    } else if (value !== undefined && !(value === null && prefix === '')) out.set(prefix || '(value)', JSON.stringify(value));
    return out;
  };
  const a = flat(before, '', new Map());
  const b = flat(after, '', new Map());
  const paths = [...new Set([...a.keys(), ...b.keys()])];
  const rows = paths.map((p) => {
    const x = a.get(p);
    const y = b.get(p);
    const changed = x !== y;
    return el('tr', { class: changed ? 'changed' : undefined, 'data-testid': changed ? 'diff-changed' : 'diff-same' }, cell(p), cell(x ?? '—', changed ? 'diff-del' : undefined), cell(y ?? '—', changed ? 'diff-add' : undefined));
  });
  return el('div', {}, el('h3', {}, 'Before / after'), table(['Field', 'Before', 'After'], rows, { 'aria-label': 'Before and after' }));
}

// ---------------------------------------------------------------- tenants

interface PageOf<T> {
  items: T[];
  next: string | null;
}

/** A paged list: fetches one page at a time from a /tenants endpoint and appends on "More". */
async function pagedTable(path: string, params: Record<string, string | number | undefined>, headers: string[], row: (item: Json) => HTMLElement, label: string): Promise<HTMLElement> {
  const body = el('tbody', {});
  const more = el('button', { type: 'button' }, 'More') as HTMLButtonElement;
  const wrap = el('div', {}, el('div', { class: 'table-wrap' }, el('table', { 'aria-label': label }, el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col' }, h)))), body)), more);
  let after: string | null = null;
  const load = async () => {
    const page = await api<PageOf<Json>>('GET', `${path}${query({ ...params, after: after ?? undefined, limit: 50 })}`);
    for (const item of page.items) body.append(row(item));
    after = page.next;
    more.hidden = after === null;
    if (body.children.length === 0) body.append(el('tr', {}, el('td', { colspan: String(headers.length), class: 'muted' }, 'None.')));
  };
  more.addEventListener('click', () => void load());
  await load();
  return wrap;
}

/** Requests newest first, each opening the Requests page's detail in place. */
function requestsTable(requests: Json[]): HTMLElement {
  const rows = [...requests].sort((a, b) => (b.seq as number) - (a.seq as number)).slice(0, 50);
  if (rows.length === 0) return el('p', { class: 'muted', 'data-testid': 'no-user-requests' }, 'None in the journal.');
  return el('div', {}, table(['Seq', 'At', 'API', 'Operation', 'Status'], rows.map((r) => {
    const detail = el('details', {}, el('summary', {}, r.operation ? String(r.operation) : `${String(r.method)} ${String(r.url)}`), pretty({ request: r.request, response: r.response }));
    return el('tr', { 'data-testid': 'user-request-row', 'data-seq': String(r.seq) }, cell(String(r.seq), 'num'), cell(String(r.at)), cell(String(r.api)), cell(detail, 'wide'), cell(String(r.status), `num status-${String(r.status).charAt(0)}`));
  })));
}

function eventsTable(events: Json[]): HTMLElement {
  if (events.length === 0) return el('p', { class: 'muted' }, 'None in the event list.');
  return table(['Seq', 'At', 'Type', 'Subject'], events.slice(0, 50).map((e) => el('tr', { 'data-testid': 'user-event-row' }, cell(String(e.seq), 'num'), cell(String(e.at)), cell(String(e.type)), cell(JSON.stringify(e.subject), 'wide'))));
}

/** A store user's permissions: listed when few, folded behind their count when many. */
function permissionList(permissions: string[]): HTMLElement {
  const list = el('span', { 'data-testid': 'permissions' }, permissions.join(', '));
  return permissions.length <= 8 ? list : el('details', {}, el('summary', {}, `${permissions.length} permissions`), list);
}

async function tenantsPage(main: HTMLElement, ctx: PageContext): Promise<void> {
  const [kind, id] = ctx.args;
  const search = el('input', { name: 'q', type: 'search', placeholder: 'e-mail, user id, account UUID, store hash', size: '40' }) as HTMLInputElement;
  main.append(
    el('h2', {}, 'Tenants'),
    el('form', { class: 'inline', role: 'search', 'aria-label': 'Find a user', onsubmit: (e) => {
      e.preventDefault();
      location.hash = `#/tenants/search/${encodeURIComponent(search.value.trim())}`;
    } }, field('Search by e-mail or id', search), el('button', { type: 'submit' }, 'Search')),
  );
  const userLink = (u: Json) => el('a', { href: `#/tenants/user/${String(u.id)}` }, String(u.email));
  if (kind === 'search' && id) {
    search.value = decodeURIComponent(id);
    const res = await api<{ users: Json[]; customers: Json[]; companyUsers: Json[]; accounts: Json[]; stores: Json[] }>('GET', `/tenants/search${query({ q: decodeURIComponent(id) })}`);
    main.append(
      el('h3', {}, 'Account users'),
      table(['Id', 'E-mail', 'Name', 'Status'], res.users.map((u) => el('tr', { 'data-testid': 'search-user' }, cell(String(u.id)), cell(userLink(u)), cell(`${String(u.firstName ?? '')} ${String(u.lastName ?? '')}`), cell(String(u.status))))),
      el('h3', {}, 'B2B company users'),
      table(['Id', 'Store', 'Company', 'E-mail'], res.companyUsers.map((u) => el('tr', { 'data-testid': 'search-company-user' }, cell(String(u.id)), cell(String(u.storeHash)), cell(String(u.companyId)), cell(el('a', { href: `#/tenants/company-user/${String(u.storeHash)}/${String(u.id)}` }, String(u.email)))))),
      el('h3', {}, 'B2B customers'),
      table(['Id', 'Store', 'E-mail', 'Name'], res.customers.map((c) => el('tr', { 'data-testid': 'search-customer' }, cell(String(c.id)), cell(el('a', { href: `#/tenants/b2b/${String(c.storeHash)}` }, String(c.storeHash))), cell(String(c.email)), cell(`${String(c.firstName)} ${String(c.lastName)}`)))),
      el('h3', {}, 'Accounts and stores'),
      table(['Kind', 'Id', 'Name'], [...res.accounts.map((a) => el('tr', {}, cell('account'), cell(el('a', { href: `#/tenants/account/${String(a.uuid)}` }, String(a.uuid))), cell(String(a.name)))), ...res.stores.map((s) => el('tr', {}, cell('store'), cell(el('a', { href: `#/tenants/store/${String(s.id)}` }, String(s.storeHash))), cell(String(s.name))))]),
    );
    return;
  }
  if (kind === 'account' && id) {
    main.append(el('h3', {}, `Account ${id}`), el('h3', {}, 'Stores'));
    main.append(await pagedTable(`/tenants/accounts/${encodeURIComponent(id)}/stores`, {}, ['Store', 'Hash', 'Name', 'Users'], (s) => el('tr', { 'data-testid': 'store-row' }, cell(el('a', { href: `#/tenants/store/${String(s.id)}` }, String(s.id))), cell(String(s.storeHash)), cell(String(s.name)), cell(String(s.userCount), 'num')), 'Stores'));
    main.append(el('h3', {}, 'Users'));
    main.append(await pagedTable(`/tenants/accounts/${encodeURIComponent(id)}/users`, {}, ['Id', 'E-mail', 'Status'], (u) => el('tr', { 'data-testid': 'account-user-row' }, cell(String(u.id)), cell(userLink(u)), cell(String(u.status))), 'Account users'));
    return;
  }
  if (kind === 'store' && id) {
    main.append(el('h3', {}, `Store ${id}: users, permissions and apps`));
    main.append(await pagedTable(`/tenants/stores/${encodeURIComponent(id)}/users`, {}, ['Id', 'E-mail', 'Status', 'Permissions', 'Apps'], (u) => el('tr', { 'data-testid': 'store-user-row' }, cell(String(u.id)), cell(userLink(u)), cell(String(u.status)), cell(permissionList(u.permissions as string[])), cell((u.apps as number[]).join(', '))), 'Store users'));
    return;
  }
  if (kind === 'b2b' && id) {
    main.append(el('h3', {}, `B2B store ${id}: companies`));
    main.append(await pagedTable(`/tenants/b2b/${encodeURIComponent(id)}/companies`, {}, ['Id', 'Name', 'Parent', 'Users', ''], (c) => el('tr', { 'data-testid': 'company-row' }, cell(String(c.id)), cell(String(c.name)), cell(String(c.parentId ?? '—')), cell(String(c.userCount), 'num'), cell(el('a', { href: `#/tenants/company/${id}/${String(c.id)}` }, 'Users'))), 'Companies'));
    return;
  }
  if (kind === 'company' && id && ctx.args[2]) {
    main.append(el('p', {}, el('a', { href: `#/tenants/b2b/${encodeURIComponent(id)}` }, `← companies of ${id}`)), el('h3', {}, `Company ${ctx.args[2]} of ${id}: users and roles`));
    main.append(await pagedTable(`/tenants/b2b/${encodeURIComponent(id)}/companies/${encodeURIComponent(ctx.args[2])}/users`, {}, ['Id', 'E-mail', 'Name', 'Role'], (u) => el('tr', { 'data-testid': 'company-user-row' }, cell(String(u.id)), cell(el('a', { href: `#/tenants/company-user/${encodeURIComponent(id)}/${String(u.id)}` }, String(u.email))), cell(`${String(u.firstName)} ${String(u.lastName)}`), cell(String(u.role ?? '—'))), 'Company users'));
    return;
  }
  if (kind === 'user' && id) {
    const user = await api<Json & { memberships: Json[]; stores: Json[] }>('GET', `/tenants/users/${encodeURIComponent(id)}`);
    const email = String(user.email).toLowerCase();
    // the journal and the events are bounded rings: read what they hold of this user's kind, keep what names them
    const [requests, accountEvents, storeEvents] = await Promise.all([
      api<{ requests: Json[] }>('GET', '/requests?api=account-graphql&limit=10000'),
      api<{ events: Json[] }>('GET', '/events?type=account.user&limit=10000'),
      api<{ events: Json[] }>('GET', '/events?type=store.user&limit=10000'),
    ]);
    const names = new RegExp(`bc/account/user/${String(user.id)}(?![0-9])|"userId":\\s*"?${String(user.id)}(?![0-9])`);
    const mentions = (r: Json) => JSON.stringify(r.request).toLowerCase().includes(email) || names.test(JSON.stringify(r.request));
    const events = [...accountEvents.events, ...storeEvents.events].filter((e) => (e.subject as Json).userId === user.id).sort((a, b) => (b.seq as number) - (a.seq as number));
    main.append(
      el('h3', {}, `User ${String(user.id)}: ${String(user.email)}`),
      pretty({ id: user.id, email: user.email, firstName: user.firstName, lastName: user.lastName, status: user.status }),
      el('h3', {}, 'Account memberships'),
      table(['Account', 'Status'], user.memberships.map((m) => el('tr', { 'data-testid': 'membership-row' }, cell(el('a', { href: `#/tenants/account/${String(m.accountUuid)}` }, String(m.accountUuid))), cell(String(m.status))))),
      el('h3', {}, 'Store memberships'),
      table(['Store', 'Status', 'Permissions', 'Apps'], user.stores.map((s) => el('tr', {}, cell(el('a', { href: `#/tenants/store/${String(s.storeId)}` }, String(s.storeId))), cell(String(s.status)), cell(permissionList(s.permissions as string[])), cell((s.apps as number[]).join(', '))))),
      el('h3', {}, 'Recent Account API requests naming this user'),
      requestsTable(requests.requests.filter(mentions)),
      el('h3', {}, 'Recent events about this user'),
      eventsTable(events),
    );
    return;
  }
  if (kind === 'company-user' && id && ctx.args[2]) {
    const user = await api<Json>('GET', `/tenants/b2b/${encodeURIComponent(id)}/users/${encodeURIComponent(ctx.args[2])}`);
    const email = String(user.email).toLowerCase();
    const [requests, events] = await Promise.all([api<{ requests: Json[] }>('GET', '/requests?limit=10000'), api<{ events: Json[] }>('GET', '/events?type=company.user&limit=10000')]);
    const path = new RegExp(`/users/${String(user.id)}(?![0-9])`);
    const mentions = (r: Json) => String(r.api).startsWith('b2b') && (path.test(String(r.url)) || JSON.stringify(r.request).toLowerCase().includes(email));
    const mine = events.events.filter((e) => (e.subject as Json).userId === user.id && (e.subject as Json).storeHash === user.storeHash).reverse();
    main.append(
      el('p', {}, el('a', { href: `#/tenants/company/${encodeURIComponent(id)}/${String(user.companyId)}` }, `← users of company ${String(user.companyId)}`)),
      el('h3', {}, `Company user ${String(user.id)}: ${String(user.email)}`),
      table(['Store', 'Company', 'Role', 'Customer id', 'Channel'], [el('tr', { 'data-testid': 'company-user-detail' }, cell(String(user.storeHash)), cell(`${String(user.companyName)} (${String(user.companyId)})`), cell(String(user.role)), cell(String(user.customerId)), cell(String(user.channelId ?? '—')))]),
      el('h3', {}, 'Recent B2B requests naming this user'),
      requestsTable(requests.requests.filter(mentions)),
      el('h3', {}, 'Recent events about this user'),
      eventsTable(mine),
    );
    return;
  }
  main.append(el('h3', {}, 'Accounts'));
  main.append(await pagedTable('/tenants/accounts', {}, ['Account', 'Name', 'Users', 'Stores'], (a) => el('tr', { 'data-testid': 'account-row' }, cell(el('a', { href: `#/tenants/account/${String(a.uuid)}` }, String(a.uuid))), cell(String(a.name)), cell(String(a.userCount), 'num'), cell(String(a.storeCount), 'num')), 'Accounts'));
  main.append(el('h3', {}, 'B2B stores'));
  main.append(await pagedTable('/tenants/b2b', {}, ['Store hash', 'Companies', 'Users'], (s) => el('tr', { 'data-testid': 'b2b-row' }, cell(el('a', { href: `#/tenants/b2b/${String(s.storeHash)}` }, String(s.storeHash))), cell(String(s.companyCount), 'num'), cell(String(s.userCount), 'num')), 'B2B stores'));
}

// ---------------------------------------------------------------- shell

let timer: number | undefined;
let generation = 0;

function tokenPrompt(main: HTMLElement, retry: () => void): void {
  const input = el('input', { id: 'admin-token', name: 'token', type: 'password', autocomplete: 'off', required: true }) as HTMLInputElement;
  const had = sessionStorage.getItem(TOKEN_KEY) !== null;
  main.replaceChildren(
    el('h2', {}, 'Admin token'),
    el('p', {}, had ? 'That token was refused. ' : '', 'This server needs its admin token (--admin-token) for the emulator controls. It is kept in this tab only (sessionStorage) and sent as Authorization: Bearer.'),
    el('form', { class: 'inline', 'aria-label': 'Enter the admin token', onsubmit: (e) => {
      e.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      retry();
    } }, field('Admin token', input), el('button', { type: 'submit' }, 'Continue')),
  );
  input.focus();
}

async function refreshWorlds(): Promise<void> {
  const select = document.getElementById('world') as HTMLSelectElement;
  const { forks } = await api<{ forks: { id: string }[] }>('GET', '/forks', undefined, worldBase('main'));
  const ids = ['main', ...forks.map((f) => f.id)];
  if (!ids.includes(currentWorld())) sessionStorage.setItem(WORLD_KEY, 'main');
  select.replaceChildren(...ids.map((id) => el('option', { value: id, selected: id === currentWorld() }, id)));
}

async function render(): Promise<void> {
  const run = ++generation;
  if (timer !== undefined) clearInterval(timer);
  timer = undefined;
  const [name = 'overview', ...args] = location.hash.replace(/^#\/?/, '').split('/').filter((s, i) => i === 0 || s !== '');
  const page = pages[name] ?? pages.overview;
  for (const link of document.querySelectorAll('nav a')) {
    if (link.getAttribute('href') === `#/${name}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const main = document.getElementById('main') as HTMLElement;
  const content = el('div', {});
  const errors = el('p', { class: 'error', role: 'alert', 'data-testid': 'error' });
  const fail = (error: unknown) => {
    if (error instanceof Unauthorized) return tokenPrompt(main, () => void render());
    errors.textContent = error instanceof Error ? error.message : String(error);
  };
  const ctx: PageContext = {
    args: args.map(decodeURIComponent),
    poll(fn) {
      let busy = false;
      timer = window.setInterval(() => {
        if (busy || run !== generation) return;
        busy = true;
        fn().catch(fail).finally(() => {
          busy = false;
        });
      }, POLL_MS);
    },
    fail,
    rerender: () => void render(),
  };
  try {
    await refreshWorlds();
    await page?.(content, ctx);
    if (run !== generation) return;
    main.replaceChildren(errors, content);
    document.title = `Roster console: ${name}`;
  } catch (error) {
    if (run !== generation) return;
    main.replaceChildren(errors, content);
    fail(error);
  }
}

(document.getElementById('world') as HTMLSelectElement).addEventListener('change', (e) => {
  sessionStorage.setItem(WORLD_KEY, (e.target as HTMLSelectElement).value);
  void render();
});
window.addEventListener('hashchange', () => void render());
void render();

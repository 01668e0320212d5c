import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/**
 * The web console at /_roster/ui (issue #21): one HTML shell and one script, both served from the
 * package (no CDN, nothing built at start-up). The script is src/console/client/console.ts, compiled
 * by the ordinary `tsc` build to dist/console/client/console.js and read on first use, so the
 * console costs Roster's start and its API paths nothing.
 *
 * Access: the shell and the script hold no data and no secret, so they are served to anyone who can
 * reach the admin API at all (off entirely when the admin API is off). Every number the console shows
 * comes from the /_roster JSON endpoints, which keep their rule (admin-access.ts); when one answers
 * 401 the page asks for the admin token once, keeps it in sessionStorage for the tab and sends it as
 * `Authorization: Bearer`, never in a URL.
 */
export const CONSOLE_PATH = '/ui';

/** The package root: the nearest folder up from this module with Roster's package.json (src/, dist/ or the bundled dist/main.js). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        if ((JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'roster') return dir;
      } catch {
        // not ours: keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('roster console: package.json not found above this module');
    dir = parent;
  }
}

function consoleHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Roster console</title>
<link rel="stylesheet" href="ui/assets/console.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <h1>Roster console</h1>
  <nav aria-label="Pages">
    <a href="#/overview">Overview</a>
    <a href="#/tenants">Tenants</a>
    <a href="#/requests">Requests</a>
    <a href="#/events">Events</a>
    <a href="#/faults">Faults</a>
    <a href="#/snapshots">Snapshots</a>
    <a href="#/webhooks">Webhooks</a>
  </nav>
  <label class="world">World <select id="world" aria-label="World"><option value="main">main</option></select></label>
</header>
<main id="main" tabindex="-1"><p>Loading…</p></main>
<noscript>The console needs JavaScript; the JSON API is at <a href="openapi.json">openapi.json</a>.</noscript>
<script type="module" src="ui/assets/console.js"></script>
</body>
</html>
`;
}

const CSS = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #fff; --muted: #57606a; --line: #d0d7de; --accent: #0550ae; --bad: #b42318; --ok: #1a7f37; --soft: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #30363d; --accent: #4493f8; --bad: #f85149; --ok: #3fb950; --soft: #161b22; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: var(--bg); padding: 4px; z-index: 2; }
header { display: flex; flex-wrap: wrap; gap: 8px 20px; align-items: center; padding: 10px 16px; border-bottom: 1px solid var(--line); background: var(--soft); }
header h1 { font-size: 16px; margin: 0; }
nav { display: flex; flex-wrap: wrap; gap: 4px; }
nav a { padding: 4px 10px; border-radius: 6px; color: var(--fg); text-decoration: none; }
nav a[aria-current="page"] { background: var(--accent); color: #fff; }
nav a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible, tr[tabindex]:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
.world { margin-left: auto; }
main { padding: 16px; max-width: 1400px; }
h2 { font-size: 18px; margin: 4px 0 12px; } h3 { font-size: 15px; margin: 18px 0 8px; }
section { margin-bottom: 18px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px; }
.card .n { font-size: 22px; font-weight: 600; } .card .l { color: var(--muted); font-size: 12px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td.wide { overflow-wrap: anywhere; min-width: 10em; }
th { font-weight: 600; color: var(--muted); font-size: 12px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr[tabindex] { cursor: pointer; } tr[tabindex]:hover, tr.selected { background: var(--soft); }
form.inline, .toolbar { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin: 8px 0; }
label { display: inline-flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 2px; }
label.check { flex-direction: row; align-items: center; gap: 6px; align-self: center; }
input, select, button { font: inherit; padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
input[type=number] { width: 8em; }
button { cursor: pointer; background: var(--soft); } button.danger { color: var(--bad); border-color: var(--bad); }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 8px; overflow: auto; max-height: 420px; font-size: 12px; }
.status-2 { color: var(--ok); } .status-4, .status-5 { color: var(--bad); }
.muted { color: var(--muted); } .error { color: var(--bad); }
.split { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; }
.diff-del { background: rgba(248, 81, 73, .15); } .diff-add { background: rgba(63, 185, 80, .15); }
@media (max-width: 800px) { .split { grid-template-columns: 1fr; } .world { margin-left: 0; } main { padding: 10px; } .hide-narrow { display: none; } }
`;

/** Registers GET /ui (the shell) and GET /ui/assets/:name inside the admin plugin (prefix /_roster). */
export function registerConsole(app: FastifyInstance, options: { enabled: () => boolean }): void {
  let script: Buffer | undefined;
  const off = (reply: import('fastify').FastifyReply) => reply.code(404).type('text/plain; charset=utf-8').send('The admin API is off on this server');
  app.get(CONSOLE_PATH, { config: { consoleAsset: true } }, async (_request, reply) => {
    if (!options.enabled()) return off(reply);
    return reply.header('cache-control', 'no-store').header('x-frame-options', 'DENY').type('text/html; charset=utf-8').send(consoleHtml());
  });
  app.get<{ Params: { name: string } }>(`${CONSOLE_PATH}/assets/:name`, { config: { consoleAsset: true } }, async (request, reply) => {
    if (!options.enabled()) return off(reply);
    if (request.params.name === 'console.css') return reply.header('cache-control', 'no-cache').type('text/css; charset=utf-8').send(CSS);
    if (request.params.name !== 'console.js') return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    script ??= readFileSync(join(packageRoot(), 'dist', 'console', 'client', 'console.js'));
    return reply.header('cache-control', 'no-cache').type('application/javascript; charset=utf-8').send(script);
  });
}

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * GraphiQL for both GraphQL APIs, served from the npm packages (no CDN): the assets once under
 * GRAPHIQL_ASSETS_PATH with long cache headers, and a small HTML page per endpoint.
 */
export const GRAPHIQL_ASSETS_PATH = '/_assets/graphiql/';

const require = createRequire(import.meta.url);

interface Asset {
  /** npm package */
  pkg: string;
  /** path inside it (the packages do not export these paths, so resolve via package.json) */
  file: string;
  contentType: string;
}

const assets = new Map<string, Asset>(Object.entries({
  'graphiql.min.js': { pkg: 'graphiql', file: 'graphiql.min.js', contentType: 'application/javascript; charset=utf-8' },
  'graphiql.min.css': { pkg: 'graphiql', file: 'graphiql.min.css', contentType: 'text/css; charset=utf-8' },
  'react.production.min.js': { pkg: 'react', file: 'umd/react.production.min.js', contentType: 'application/javascript; charset=utf-8' },
  'react-dom.production.min.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', contentType: 'application/javascript; charset=utf-8' },
} satisfies Record<string, Asset>));

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0';
  }
}

/** Part of every asset URL, so a long immutable cache never serves a stale bundle after an upgrade. */
const assetVersion = `${packageVersion('graphiql')}-${packageVersion('react')}`;

/** Serves the GraphiQL bundle; register once per app. Files are read on first use and kept in memory. */
export function registerGraphiqlAssets(app: FastifyInstance): void {
  const loaded = new Map<string, Buffer>();
  app.get<{ Params: { name: string } }>(`${GRAPHIQL_ASSETS_PATH}:name`, async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    let body = loaded.get(request.params.name);
    if (!body) {
      body = readFileSync(join(packageDir(asset.pkg), asset.file));
      loaded.set(request.params.name, body);
    }
    return reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .type(asset.contentType)
      .send(body);
  });
}

export interface GraphiqlPageOptions {
  /** the GraphQL endpoint the page talks to (an absolute path or URL) */
  endpoint: string;
  title: string;
  /** initial content of the headers editor, e.g. { "X-Auth-Token": "" } */
  headers?: Record<string, string>;
  /** initial query */
  query?: string;
  /** keep the headers (a token!) in the browser's localStorage across reloads; default false */
  persistHeaders?: boolean;
}

/** Safe inside <script>: JSON with the characters that could end the script escaped. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The GraphiQL page: the header editor is open so a token can be entered as a request header. */
export function graphiqlHtml(options: GraphiqlPageOptions): string {
  const asset = (name: string) => `${GRAPHIQL_ASSETS_PATH}${name}?v=${assetVersion}`;
  const config = {
    endpoint: options.endpoint,
    headers: options.headers ? JSON.stringify(options.headers, null, 2) : undefined,
    query: options.query,
    persistHeaders: options.persistHeaders === true,
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<link rel="stylesheet" href="${asset('graphiql.min.css')}">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${asset('react.production.min.js')}"></script>
<script src="${asset('react-dom.production.min.js')}"></script>
<script src="${asset('graphiql.min.js')}"></script>
<script>
(function () {
  var config = ${scriptJson(config)};
  var fetcher = GraphiQL.createFetcher({ url: config.endpoint });
  var props = { fetcher: fetcher, isHeadersEditorEnabled: true, defaultEditorToolsVisibility: 'headers', shouldPersistHeaders: config.persistHeaders };
  if (config.headers) props.defaultHeaders = config.headers;
  if (config.query) props.defaultQuery = config.query;
  ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, props));
})();
</script>
</body>
</html>
`;
}

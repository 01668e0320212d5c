import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../shared/errors.js';

/**
 * The text of a JSON request body, as the edges' JSON parsers read it (B2B REST and B2B GraphQL;
 * the Account GraphQL body stays the bytes it arrived as). The B2B GraphQL answer cache keys on it,
 * and what looks at a body after its answer (the emulator's request journal) keeps this text, never
 * the parsed value: parsed, a body can be some 28 times its size (64 KiB of `[[[…]]]` is 32,000
 * arrays, ~1.8 MB), and 500 kept requests of nested bodies held ~900 MB (64 KiB each) or ran the
 * process out of memory (400 KB each).
 */
declare module 'fastify' {
  interface FastifyRequest {
    jsonText: string | undefined;
  }
}

/** Once, at the root, before the edges register. */
export function decorateJsonText(app: FastifyInstance): void {
  app.decorateRequest('jsonText', undefined);
}

/**
 * The B2B edges' JSON body parser (storefront REST, Management API): an empty body is `{}`, the text
 * is kept as `request.jsonText`, a body that does not parse is B2B_JSON_PARSE (400 in each API's format).
 */
export function parseB2bJsonBody(request: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void): void {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim() === '') {
    done(null, {});
    return;
  }
  try {
    const value: unknown = JSON.parse(text);
    request.jsonText = text;
    done(null, value);
  } catch {
    done(new AppError('B2B_JSON_PARSE'));
  }
}

import { createRequire } from 'node:module';
import type { Ajv, ValidateFunction } from 'ajv';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import fastJsonStringify from 'fast-json-stringify';

/**
 * A Fastify validator compiler that compiles each schema on its first use instead of at start-up.
 * Compiling every route's schemas with ajv was the largest part of `buildApp` + `ready()`; most
 * routes of a test's app are never called. The compiled function reports `errors` as Fastify's.
 */
let lenient: Ajv | undefined;
let strict: Ajv | undefined;

/**
 * Two ajv instances, both loaded on first use (about 50 ms at start otherwise). Query strings,
 * path parameters and headers are text on the wire: their schemas coerce ("5" is the integer 5),
 * as Fastify's default does. Bodies are JSON and are taken as sent: no coercion (`{"name": 5}` is
 * not the string "5", `{"all": 1}` is not true), every violation collected so that the caller can
 * name an unknown property first. Neither removes properties a schema does not allow: they are
 * refused (400 naming them), never silently dropped; a refused request must not be half-obeyed.
 */
function ajvFor(httpPart: string | undefined): Ajv {
  const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  if (httpPart === 'body') {
    strict ??= new AjvClass({ coerceTypes: false, useDefaults: true, removeAdditional: false, addUsedSchema: false, allErrors: true });
    return strict;
  }
  lenient ??= new AjvClass({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, addUsedSchema: false, allErrors: false });
  return lenient;
}

export const lazyValidatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) => {
  let compiled: ValidateFunction | undefined;
  const validate = ((data: unknown) => {
    compiled ??= ajvFor(httpPart).compile(schema as object);
    const ok = compiled(data);
    validate.errors = compiled.errors;
    return ok;
  }) as ((data: unknown) => boolean) & { errors?: ValidateFunction['errors'] };
  return validate;
};

/**
 * Fastify's own response serializer (fast-json-stringify, its default options), compiled on a
 * route's first answer instead of at start: compiling the B2B routes' schemas was about a fifth of
 * buildApp + ready, and most apps (test files, CLI runs) never answer most routes.
 */
export function lazySerializerCompiler({ schema }: { schema?: unknown }): (data: unknown) => string {
  let compiled: ((data: unknown) => string) | undefined;
  return (data) => {
    compiled ??= fastJsonStringify(schema as Parameters<typeof fastJsonStringify>[0]) as (data: unknown) => string;
    return compiled(data);
  };
}

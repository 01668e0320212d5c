import { createRequire } from 'node:module';
import type { Ajv, ValidateFunction } from 'ajv';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import fastJsonStringify from 'fast-json-stringify';

/**
 * A Fastify validator compiler that compiles each schema on its first use instead of at start-up.
 * Compiling every route's schemas with ajv was the largest part of `buildApp` + `ready()`; most
 * routes of a test's app are never called. Same options as Fastify's default compiler, and the
 * compiled function reports `errors` the same way, so validation messages are unchanged.
 */
let shared: Ajv | undefined;

function ajv(): Ajv {
  if (shared) return shared;
  // the module too is loaded on first use (about 50 ms at start otherwise)
  const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  shared = new AjvClass({ coerceTypes: 'array', useDefaults: true, removeAdditional: true, addUsedSchema: false, allErrors: false });
  return shared;
}

export const lazyValidatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema }) => {
  let compiled: ValidateFunction | undefined;
  const validate = ((data: unknown) => {
    compiled ??= ajv().compile(schema as object);
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

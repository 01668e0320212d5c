import type { FastifyReply } from 'fastify';

/**
 * Names the GraphQL operation on the request's log lines from here on, the "request completed"
 * line included (Fastify writes it through `reply.log`): JSON logs get an `operation` field and
 * the terminal's one-line request log shows it (cli/terminal-log.ts).
 *
 * Only when that line is written (info or lower): a pino child costs ~13 us (its bindings are
 * serialized when it is made), 3% of an Account GraphQL request under load, and is called last in
 * a request, so at `warn` nothing that could still be logged would carry it.
 */
export function logOperation(reply: FastifyReply, name: string | undefined): void {
  if (name !== undefined && name !== '' && WRITES_REQUEST_LINES.has(reply.log.level)) reply.log = reply.log.child({ operation: name.slice(0, 100) });
}

/** The levels at which Fastify's "request completed" line is written (a disabled logger has no level). */
const WRITES_REQUEST_LINES = new Set(['info', 'debug', 'trace']);

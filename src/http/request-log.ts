import type { FastifyReply } from 'fastify';

/**
 * Names the GraphQL operation on the request's log lines from here on, the "request completed"
 * line included (Fastify writes it through `reply.log`): JSON logs get an `operation` field and
 * the terminal's one-line request log shows it (cli/terminal-log.ts).
 */
export function logOperation(reply: FastifyReply, name: string | undefined): void {
  if (name !== undefined && name !== '') reply.log = reply.log.child({ operation: name.slice(0, 100) });
}

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { type GraphQLSchema, printSchema } from 'graphql';

/**
 * GraphQL validation off the event loop, with a deadline. graphql-js's validation is bounded
 * (its overlapping-fields rule stops after a fixed budget of comparisons), but that budget is
 * up to a second of one thread's time on this kind of machine: a document of a few kilobytes can
 * hold it. Large documents are therefore validated in a worker thread; when one takes longer than
 * the deadline, the worker is terminated (which stops it mid-rule) and a fresh one takes the next.
 * The server's own thread only ever waits for a message.
 *
 * The worker validates against the schema rebuilt from its printed SDL: the same types, fields,
 * arguments and directives, without resolvers. Custom scalars lose their literal parsers there, so
 * the one rule that needs them (ValuesOfCorrectTypeRule, linear in the document) runs on the
 * server's thread against the real schema (see graphql-engine.ts).
 */
export interface ValidationIssue {
  message: string;
  /** offsets in the document (the caller turns them into locations against its own parse) */
  positions: number[] | undefined;
}

export type WorkerVerdict = { kind: 'validated'; issues: ValidationIssue[] } | { kind: 'timeout' };

export interface ValidationWorker {
  validate(text: string): Promise<WorkerVerdict>;
  close(): Promise<void>;
}

// CommonJS source run with `eval: true`: no file to ship beside the bundle or the TypeScript sources
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const graphql = require(workerData.graphqlPath);
const schema = graphql.buildSchema(workerData.sdl, { assumeValidSDL: true });
const rules = graphql.specifiedRules.filter((rule) => rule !== graphql.ValuesOfCorrectTypeRule);
parentPort.on('message', ({ id, text }) => {
  let issues;
  try {
    const document = graphql.parse(text, { maxTokens: workerData.maxTokens });
    issues = graphql.validate(schema, document, rules, { maxErrors: 10 }).map((e) => ({ message: e.message, positions: e.positions }));
  } catch (error) {
    issues = [{ message: error instanceof graphql.GraphQLError ? error.message : 'The query could not be validated.', positions: undefined }];
  }
  parentPort.postMessage({ id, issues });
});
`;

interface Job {
  id: number;
  text: string;
  resolve(verdict: WorkerVerdict): void;
}

export function createValidationWorker(schema: GraphQLSchema, options: { deadlineMs: number; maxTokens: number }): ValidationWorker {
  const workerData = {
    sdl: printSchema(schema),
    graphqlPath: createRequire(import.meta.url).resolve('graphql'),
    maxTokens: options.maxTokens,
  };
  const queue: Job[] = [];
  let worker: Worker | undefined;
  let running: { job: Job; timer: NodeJS.Timeout } | undefined;
  let nextId = 0;
  let closed = false;

  const spawn = (): Worker => {
    const created = new Worker(WORKER_SOURCE, { eval: true, workerData });
    // an idle worker never keeps the process alive
    created.unref();
    created.on('message', (message: { id: number; issues: ValidationIssue[] }) => {
      if (!running || running.job.id !== message.id) return;
      clearTimeout(running.timer);
      const { job } = running;
      running = undefined;
      job.resolve({ kind: 'validated', issues: message.issues });
      pump();
    });
    created.on('error', () => {
      // a worker that dies (out of memory, a bug) fails its job like a timeout; the next job gets a new one
      if (worker === created) worker = undefined;
      if (running) {
        clearTimeout(running.timer);
        const { job } = running;
        running = undefined;
        job.resolve({ kind: 'timeout' });
      }
      pump();
    });
    return created;
  };

  function pump(): void {
    if (running || closed) return;
    const job = queue.shift();
    if (!job) {
      return;
    }
    worker ??= spawn();
    const current = worker;
    const timer = setTimeout(() => {
      // stop it where it is: terminate() interrupts running JavaScript in the worker
      if (worker === current) worker = undefined;
      void current.terminate();
      running = undefined;
      job.resolve({ kind: 'timeout' });
      pump();
    }, options.deadlineMs);
    running = { job, timer };
    current.postMessage({ id: job.id, text: job.text });
  }

  return {
    validate(text) {
      if (closed) return Promise.resolve({ kind: 'timeout' });
      return new Promise((resolve) => {
        nextId += 1;
        queue.push({ id: nextId, text, resolve });
        pump();
      });
    },
    async close() {
      closed = true;
      if (running) {
        clearTimeout(running.timer);
        running.job.resolve({ kind: 'timeout' });
        running = undefined;
      }
      for (const job of queue.splice(0)) job.resolve({ kind: 'timeout' });
      const current = worker;
      worker = undefined;
      if (current) await current.terminate();
    },
  };
}

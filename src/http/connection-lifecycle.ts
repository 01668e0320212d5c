import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * How connections end. Two rules, one onSend hook:
 *
 * 1. While the server is closing, every answer carries `Connection: close`: a keep-alive connection
 *    whose request was in flight at SIGTERM would otherwise stay open, idle, until its keep-alive
 *    timeout (72 s), and the server's close waits for it.
 *
 * 2. A refused request whose body is still arriving (413 for a body over the limit, 400 for a broken
 * one) is answered at once with `Connection: close`. Node then destroys the socket as soon as the
 * answer is written, while the client is still sending: its next bytes meet a closed socket, the
 * kernel answers with a reset, and the client sees EPIPE / ECONNRESET and often never reads the
 * answer that was already on its way. Mature servers close "lingering" instead (nginx's
 * lingering_close): send the answer, shut down the sending side only (FIN), keep reading and
 * discarding what the client still sends, and close once it stops, within a time and a byte
 * bound. That is what this does, for every API.
 */
export const LINGER_MS = 15_000;
export const LINGER_BYTES = 64 * 1024 * 1024;

export function installConnectionLifecycle(app: FastifyInstance, isClosing: () => boolean): void {
  // callback style: no promise per request on the hot path
  app.addHook('onSend', (request, reply, payload, done) => {
    if (isClosing()) reply.header('connection', 'close');
    if (!request.raw.complete && String(reply.getHeader('connection') ?? '').toLowerCase() === 'close') lingerAfterAnswer(request.raw);
    done(null, payload);
  });
}

function lingerAfterAnswer(request: IncomingMessage): void {
  const socket = request.socket as Socket & { destroySoon?: () => void; rosterLingering?: boolean };
  if (socket.rosterLingering) return;
  socket.rosterLingering = true;
  let discarded = 0;
  // the rest of the body is read and thrown away (the HTTP parser keeps feeding this request)
  request.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) socket.destroy();
  });
  request.resume();
  // Node calls destroySoon() on the socket once a `Connection: close` answer is written: end the
  // sending side instead, and destroy the socket when the client has closed its side or a bound is hit
  socket.destroySoon = () => {
    if (socket.writable) socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    // once the whole request is in, close as soon as the answer has left
    const closeWhenFlushed = () => (socket.writableFinished ? socket.destroy() : socket.once('finish', () => socket.destroy()));
    if (request.complete) closeWhenFlushed();
    else request.once('end', closeWhenFlushed);
  };
}

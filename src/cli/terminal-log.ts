/**
 * What `roster serve` writes to a terminal: one readable line per request (time, method, path,
 * status, duration and, for GraphQL, the operation name) and one per other log record, instead
 * of pino's JSON (kept for pipes, files and `--log-format json`). A pino destination: it gets
 * each record as one JSON line. Fastify writes two records per request ("incoming request" with
 * the method and URL, "request completed" with the status and time); they are joined by request
 * id. URLs and fields come already redacted by the logger's serializers.
 */
export type LogFormat = 'pretty' | 'json';

interface Record_ {
  level?: number;
  time?: number;
  msg?: string;
  reqId?: string;
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
  operation?: string;
  [key: string]: unknown;
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** fields every record has, or that the request line shows already */
const PLAIN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId', 'req', 'res', 'responseTime', 'operation']);
/** requests whose completion has not been seen: bounded, a lost one is dropped */
const MAX_OPEN = 10_000;

export function createTerminalLog(write: (text: string) => void): { write(line: string): void } {
  const open = new Map<string, { method: string; url: string }>();
  const clock = (time: number | undefined) => new Date(time ?? Date.now()).toISOString().slice(11, 19);
  return {
    write(line) {
      let record: Record_;
      try {
        record = JSON.parse(line) as Record_;
      } catch {
        write(line.endsWith('\n') ? line : `${line}\n`);
        return;
      }
      if (record.msg === 'incoming request' && record.reqId !== undefined) {
        if (open.size >= MAX_OPEN) open.delete(open.keys().next().value as string);
        open.set(record.reqId, { method: record.req?.method ?? '?', url: record.req?.url ?? '?' });
        return;
      }
      if (record.msg === 'request completed' && record.reqId !== undefined) {
        const request = open.get(record.reqId) ?? { method: '?', url: '?' };
        open.delete(record.reqId);
        const ms = typeof record.responseTime === 'number' ? `${record.responseTime.toFixed(1)} ms` : '';
        const operation = record.operation !== undefined ? `  ${record.operation}` : '';
        write(`${clock(record.time)} ${request.method} ${request.url} ${record.res?.statusCode ?? '?'} ${ms}${operation}\n`);
        return;
      }
      // the banner printed after listening says where Roster serves
      if (typeof record.msg === 'string' && record.msg.startsWith('Server listening at')) return;
      const extra = Object.entries(record).filter(([key]) => !PLAIN.has(key));
      const level = LEVELS[record.level ?? 30] ?? 'info';
      const details = extra.length > 0 ? ` ${extra.map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`).join(' ')}` : '';
      write(`${clock(record.time)} ${level === 'info' ? '' : `${level} `}${record.msg ?? ''}${details}\n`);
    },
  };
}

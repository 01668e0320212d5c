import { readFileSync } from 'node:fs';
import { parseDatabaseUrl } from '../db/database.js';
import { WEBHOOK_SETTING_CHOICES, WEBHOOK_SETTING_LIMITS, type WebhookSettingsInput } from '../domain/settings/webhook-settings.js';
import { AppError } from '../shared/errors.js';
import type { LogFormat } from './terminal-log.js';

/**
 * The only reader of process.env and CLI flags: everything is parsed and typed once here.
 */
export interface RateLimitSetting {
  requests: number;
  windowMs: number;
}

/** `undefined`: not given (fall back to the fixture's settings, then the default); `null`: off. */
export type RateLimitFlag = RateLimitSetting | null | undefined;

export interface ServeConfig {
  host: string;
  port: number;
  databaseUrl: string;
  seedFile: string | undefined;
  reset: boolean;
  accountRateLimit: RateLimitFlag;
  b2bRateLimit: RateLimitFlag;
  redisUrl: string | undefined;
  /** Load the demo fixture when the database is empty and no --seed is given (npm start). */
  seedDemoWhenEmpty: boolean;
  logLevel: string;
  /** 'pretty': one readable line per request (the default on a terminal); 'json': pino's lines */
  logFormat: LogFormat;
  production: boolean;
  /** Frozen start instant for the clock (ms), from --clock (--deterministic alone: DETERMINISTIC_START). */
  clockStart: number | undefined;
  /** Bearer token for the emulator controls (/_roster); required to enable them off loopback. */
  adminToken: string | undefined;
  /** Seeded ids (and a frozen clock unless --clock): the same test gives byte-identical responses. */
  deterministic: boolean;
  /** webhooks.md §7.5 from --webhooks, --webhook-destinations, ...: only the keys given (they override the fixture's `settings.webhooks`) */
  webhooks: WebhookSettingsInput;
}

/** Where --deterministic freezes the clock when --clock is not given. */
export const DETERMINISTIC_START = '2025-01-01T00:00:00Z';
export const DETERMINISTIC_SEED = 'roster';

export const DEFAULT_DATABASE_URL = 'sqlite:./data/roster.db';
export const DEFAULT_ACCOUNT_RATE_LIMIT: RateLimitSetting = { requests: 70, windowMs: 3_600_000 };
export const DEFAULT_B2B_RATE_LIMIT: RateLimitSetting = { requests: 150, windowMs: 60_000 };
export const DEMO_B2B_JWT_SECRET = 'demo-only-secret-change-me';

export function parseRateLimit(value: string, flag: string): RateLimitSetting | null {
  if (value === 'off') return null;
  const match = /^(\d+)\/(\d+)$/.exec(value);
  if (!match) throw new AppError('BAD_REQUEST', `${flag} must be N/MS (e.g. 70/3600000) or off, got "${value}"`);
  const requests = Number(match[1]);
  const windowMs = Number(match[2]);
  if (requests < 1 || windowMs < 1) throw new AppError('BAD_REQUEST', `${flag}: N and MS must be at least 1`);
  return { requests, windowMs };
}

export function parsePort(value: string | undefined, source: string): number {
  if (value === undefined || value === '') return 3000;
  if (!/^\d+$/.test(value)) throw new AppError('BAD_REQUEST', `${source} must be a port number, got "${value}"`);
  const port = Number(value);
  if (port > 65535) throw new AppError('BAD_REQUEST', `${source} must be at most 65535, got ${port}`);
  return port;
}

export interface ServeFlags {
  host?: string;
  port?: string;
  database?: string;
  seed?: string;
  reset?: boolean;
  accountRateLimit?: string;
  b2bRateLimit?: string;
  redis?: string;
  logLevel?: string;
  logFormat?: string;
  clock?: string;
  adminToken?: string;
  deterministic?: boolean;
  webhooks?: string;
  webhookDestinations?: string;
  webhookTimeoutMs?: string;
  webhookInsecureTls?: boolean;
  webhookTimestamp?: string;
  webhookConcurrency?: string;
}

function parseChoice<T extends string>(value: string, flag: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw new AppError('BAD_REQUEST', `${flag} must be ${choices.join(', ').replace(/, ([^,]*)$/, ' or $1')}, got "${value}"`);
  return value as T;
}

function parseWholeNumber(value: string, flag: string, limits: { min: number; max: number }): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= limits.min && n <= limits.max)) throw new AppError('BAD_REQUEST', `${flag} must be a whole number from ${limits.min} to ${limits.max}, got "${value}"`);
  return n;
}

/** The webhook flags given (webhooks.md §7.5); a flag not given leaves its key out. */
function parseWebhookFlags(flags: ServeFlags): WebhookSettingsInput {
  const out: WebhookSettingsInput = {};
  if (flags.webhooks !== undefined) out.mode = parseChoice(flags.webhooks, '--webhooks', WEBHOOK_SETTING_CHOICES.mode);
  if (flags.webhookDestinations !== undefined) out.destinations = parseChoice(flags.webhookDestinations, '--webhook-destinations', WEBHOOK_SETTING_CHOICES.destinations);
  if (flags.webhookTimeoutMs !== undefined) out.timeoutMs = parseWholeNumber(flags.webhookTimeoutMs, '--webhook-timeout-ms', WEBHOOK_SETTING_LIMITS.timeoutMs);
  if (flags.webhookInsecureTls === true) out.insecureTls = true;
  if (flags.webhookTimestamp !== undefined) out.timestamp = parseChoice(flags.webhookTimestamp, '--webhook-timestamp', WEBHOOK_SETTING_CHOICES.timestamp);
  if (flags.webhookConcurrency !== undefined) out.concurrency = parseWholeNumber(flags.webhookConcurrency, '--webhook-concurrency', WEBHOOK_SETTING_LIMITS.concurrency);
  return out;
}

function parseLogFormat(value: string | undefined, isTerminal: boolean): LogFormat {
  if (value === undefined) return isTerminal ? 'pretty' : 'json';
  if (value !== 'pretty' && value !== 'json') throw new AppError('BAD_REQUEST', `--log-format must be pretty or json, got "${value}"`);
  return value;
}

/** `isTerminal`: whether standard output is a terminal (the log format's default) */
export function readServeConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env, isTerminal = process.stdout.isTTY === true): ServeConfig {
  const databaseUrl = flags.database ?? env.ROSTER_DATABASE_URL ?? DEFAULT_DATABASE_URL;
  parseDatabaseUrl(databaseUrl);
  const port = flags.port !== undefined ? parsePort(flags.port, '--port') : parsePort(env.PORT, 'PORT');
  if (flags.redis !== undefined && !/^rediss?:\/\//.test(flags.redis)) {
    throw new AppError('BAD_REQUEST', `--redis must be a redis:// URL, got "${flags.redis}"`);
  }
  let clockStart: number | undefined;
  if (flags.clock !== undefined) {
    clockStart = Date.parse(flags.clock);
    if (Number.isNaN(clockStart)) throw new AppError('BAD_REQUEST', `--clock must be an ISO-8601 instant, got "${flags.clock}"`);
  }
  const deterministic = flags.deterministic === true;
  if (deterministic && clockStart === undefined) clockStart = Date.parse(DETERMINISTIC_START);
  const adminToken = flags.adminToken ?? env.ROSTER_ADMIN_TOKEN;
  if (adminToken !== undefined && !/^\S{8,}$/.test(adminToken)) {
    throw new AppError('BAD_REQUEST', '--admin-token must be at least 8 characters without spaces');
  }
  return {
    host: flags.host ?? env.HOST ?? '127.0.0.1',
    port,
    databaseUrl,
    seedFile: flags.seed,
    reset: flags.reset === true,
    accountRateLimit: flags.accountRateLimit !== undefined ? parseRateLimit(flags.accountRateLimit, '--account-rate-limit') : undefined,
    b2bRateLimit: flags.b2bRateLimit !== undefined ? parseRateLimit(flags.b2bRateLimit, '--b2b-rate-limit') : undefined,
    redisUrl: flags.redis ?? env.ROSTER_REDIS_URL,
    seedDemoWhenEmpty: flags.seed === undefined,
    logLevel: flags.logLevel ?? env.LOG_LEVEL ?? 'info',
    logFormat: parseLogFormat(flags.logFormat ?? env.ROSTER_LOG_FORMAT, isTerminal),
    production: env.NODE_ENV === 'production',
    clockStart,
    adminToken,
    deterministic,
    webhooks: parseWebhookFlags(flags),
  };
}

/** Reads and parses a fixture file; one clear error on failure. */
export function readFixtureFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AppError('FIXTURE_INVALID', `Cannot read fixture ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError('FIXTURE_INVALID', `Fixture ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Where the admin CLI commands (roster reset, snapshot, clock, fork) send their requests. */
export interface AdminClientConfig {
  url: string;
  adminToken: string | undefined;
}

export function readAdminClientConfig(flags: { url?: string; adminToken?: string }, env: NodeJS.ProcessEnv = process.env): AdminClientConfig {
  const url = (flags.url ?? env.ROSTER_URL ?? `http://127.0.0.1:${env.PORT ?? '3000'}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(url)) throw new AppError('BAD_REQUEST', `--url must be an http(s):// URL, got "${url}"`);
  return { url, adminToken: flags.adminToken ?? env.ROSTER_ADMIN_TOKEN };
}

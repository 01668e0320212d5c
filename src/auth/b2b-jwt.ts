import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Minimal HS256 JSON Web Tokens over node:crypto (no dependency). Used for our storefront
 * authTokens and to verify BigCommerce Current Customer JWTs. Signature comparison is constant-time.
 * `decodeHs256` never trusts the header beyond `alg === "HS256"`.
 */
export type JwtClaims = Record<string, unknown>;

export type JwtDecodeResult =
  | { ok: true; claims: JwtClaims }
  | { ok: false; reason: 'malformed' | 'algorithm' | 'signature' };

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

const HEADER = base64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }));

export function signHs256(claims: JwtClaims, secret: string): string {
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest('base64url');
  return `${HEADER}.${payload}.${signature}`;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function parseSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Verifies the signature with `secret` and returns the claims; checks no time claims (callers do, with their Clock). */
export function decodeHs256(token: string, secret: string): JwtDecodeResult {
  if (token.length > 8192) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  if (!SEGMENT.test(headerPart) || !SEGMENT.test(payloadPart) || !SEGMENT.test(signaturePart)) return { ok: false, reason: 'malformed' };
  const header = parseSegment(headerPart);
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return { ok: false, reason: 'malformed' };
  if ((header as { alg?: unknown }).alg !== 'HS256') return { ok: false, reason: 'algorithm' };
  const expected = createHmac('sha256', secret).update(`${headerPart}.${payloadPart}`).digest();
  const given = Buffer.from(signaturePart, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature' };
  const claims = parseSegment(payloadPart);
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) return { ok: false, reason: 'malformed' };
  return { ok: true, claims: claims as JwtClaims };
}

import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** API tokens are stored only as SHA-256 hex digests. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compare two secrets without leaking where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** scrypt cost: N = 2^12 keeps fixture loading fast while staying a slow, salted hash. */
const SCRYPT_LN = 12;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const KEY_LENGTH = 32;

function scryptAsync(password: string, salt: Buffer, ln: number, r: number, p: number, keyLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, { N: 2 ** ln, r, p, maxmem: 256 * 2 ** ln * r + 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** PHC string: $scrypt$ln=12,r=8,p=1$<salt b64>$<hash b64> */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT_LN, SCRYPT_R, SCRYPT_P, KEY_LENGTH);
  return `$scrypt$ln=${SCRYPT_LN},r=${SCRYPT_R},p=${SCRYPT_P}$${salt.toString('base64').replace(/=+$/, '')}$${key.toString('base64').replace(/=+$/, '')}`;
}

const PHC_SCRYPT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

export function isScryptPhc(value: string): boolean {
  const match = PHC_SCRYPT.exec(value);
  if (!match) return false;
  const ln = Number(match[1]);
  return ln >= 1 && ln <= 20 && Number(match[2]) >= 1 && Number(match[3]) >= 1;
}

export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const match = PHC_SCRYPT.exec(phc);
  if (!match) return false;
  const [, ln, r, p, saltB64, hashB64] = match as unknown as [string, string, string, string, string, string];
  const expected = Buffer.from(hashB64, 'base64');
  const key = await scryptAsync(password, Buffer.from(saltB64, 'base64'), Number(ln), Number(r), Number(p), expected.length);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

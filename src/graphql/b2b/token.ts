import type { Services } from '../../services.js';
import { AppError, isAppError } from '../../shared/errors.js';
import type { TokenState } from './context.js';

/**
 * Verifies a token with the shared B2B token service (signature, then expiry and a fresh re-read
 * of the user, role and Company). Returns the store as soon as the signature holds, so the request
 * counts against that store's quota even when the token has expired (§14 #14).
 */
export async function verifyB2bToken(services: Services, raw: string, version?: string): Promise<{ state: TokenState; storeHash: string | undefined }> {
  let storeHash: string | undefined;
  try {
    const decoded = services.b2bTokens.decode(raw);
    storeHash = decoded.storeHash;
    return { state: { kind: 'valid', principal: await services.b2bTokens.resolve(decoded, version) }, storeHash };
  } catch (error) {
    if (isAppError(error) && error.status === 401) return { state: { kind: 'invalid', error }, storeHash };
    if (isAppError(error)) return { state: { kind: 'invalid', error: new AppError('B2B_INVALID_TOKEN') }, storeHash };
    throw error;
  }
}

import type { B2bCaller } from '../../http/b2b-caller.js';
import { AppError } from '../../shared/errors.js';
import type { TokenState } from './context.js';

/**
 * What the operations see of the caller: no token, a valid one, or one that does not authenticate
 * (a 401 as it was raised; any other refusal while resolving it reads as an invalid token).
 */
export function tokenStateOf(caller: B2bCaller): TokenState {
  if (caller.principal) return { kind: 'valid', principal: caller.principal };
  if (caller.token === undefined) return { kind: 'none' };
  const failure = caller.failure;
  if (failure && failure.status === 401) return { kind: 'invalid', error: failure };
  return { kind: 'invalid', error: new AppError('B2B_INVALID_TOKEN') };
}

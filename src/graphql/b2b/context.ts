import type { Services } from '../../services.js';

/** Per-request GraphQL context: the request's services (forks swap them per request). */
export interface B2bContext {
  readonly services: Services;
}

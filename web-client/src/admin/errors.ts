// The dashboard's words for a failed request (shared/api.ts's ApiError):
// for administrators, naming what failed (the data store, the session, the
// rate limit) and how long to wait when the server said.
import { ApiError } from '../shared/api';

/** A message for people, from any failure of a request. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return 'The Peerline server cannot be reached. Check your connection; nothing was changed.';
    if (err.status === 503) {
      const wait = err.retryAfterS ? ` Try again in about ${err.retryAfterS} s.` : ' Try again shortly.';
      return `The service's data store (Redis) is unavailable, so nothing was changed.${wait}`;
    }
    if (err.status === 401) return 'Your session has expired. Please sign in again.';
    if (err.status === 403) return 'Only an administrator may do this.';
    if (err.status === 429) {
      const wait = err.retryAfterS ? ` Wait ${err.retryAfterS} s and try again.` : ' Wait a little and try again.';
      return `Too many attempts.${wait}`;
    }
    if (err.status === 404 && err.code === 'not_found') return err.message || 'Not found.';
    return err.message || `The server refused the request (${err.code}).`;
  }
  return err instanceof Error ? err.message : String(err);
}

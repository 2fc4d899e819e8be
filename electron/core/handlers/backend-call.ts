import type { Result } from '../../../domain/result';
import type { BackendClient } from '../backend-client';
import type { CoreContext } from '../context';
import { toAppError } from '../session/session-service';

/** What the handlers that talk to the backend share: the client (or a clear retryable error), and results. */
export function backendCalls(ctx: CoreContext): {
  client: () => BackendClient;
  must: <T>(r: Result<T>) => T;
} {
  return {
    client: () => ctx.backend.client(),
    /** The value, or the backend's refusal as an AppError; a session the backend ended ends here too. */
    must: <T>(r: Result<T>): T => {
      if (!r.ok) {
        ctx.session.noticeError(r);
        throw toAppError(r);
      }
      return r.value;
    },
  };
}

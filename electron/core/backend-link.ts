import { AppError } from '../../domain/result';
import type { BackendClient } from './backend-client';
import type { EmbeddedBackend } from './embedded-backend';

/** The backend's reachability as last checked, for diagnostics. */
export interface BackendReach {
  mode: string;
  reachable: boolean;
  address?: string;
}

/**
 * The core's one way to the backend: the client (which alone holds the session token), the embedded backend when
 * this app runs one, and its last known reachability. Built once by ./core.ts before anything that needs it; the
 * client exists once the backend is known (`start()`), and `client()` says so with one retryable error.
 */
export class BackendLink {
  private current: BackendClient | null = null;
  private embeddedBackend: EmbeddedBackend | null = null;
  private reach: () => BackendReach = () => ({ mode: 'embedded', reachable: false });

  /** The client, or BACKEND_UNREACHABLE (retryable) while the backend is not known yet. */
  client(): BackendClient {
    if (!this.current)
      throw new AppError('BACKEND_UNREACHABLE', 'Le serveur Vigie n’est pas encore prêt.', true);
    return this.current;
  }

  /** The client if there is one: for steps that are skipped, not refused, without it (sign-out, forget). */
  clientIfReady(): BackendClient | null {
    return this.current;
  }

  /** The embedded backend (demo: its PSC sandbox and letters outbox), or null with a remote backend. */
  embedded(): EmbeddedBackend | null {
    return this.embeddedBackend;
  }

  status(): BackendReach {
    return this.reach();
  }

  connect(client: BackendClient, embedded: EmbeddedBackend | null, reach: () => BackendReach): void {
    this.current = client;
    this.embeddedBackend = embedded;
    this.reach = reach;
  }

  watch(reach: () => BackendReach): void {
    this.reach = reach;
  }
}

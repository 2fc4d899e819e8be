/**
 * The proof headers a registered workstation adds to its requests (sign-ins and every request of its sessions):
 * Ed25519 with its key over its id, the time (the server's clock as it estimates it), a nonce, the method, the path
 * with its query and the SHA-256 of the body as sent (`JSON.stringify(body)`, as the harness sends it).
 */
import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  HEADER_WORKSTATION_NONCE,
  HEADER_WORKSTATION_PROOF,
  HEADER_WORKSTATION_TIME,
  workstationProofMessage,
} from '../../domain/backend-api';

export function proofHeaders(
  ws: { id: string; privateKey: KeyObject },
  time: Date,
  method: string,
  path: string,
  body?: unknown,
): Record<string, string> {
  const nonce = randomBytes(16).toString('base64url');
  const raw = body === undefined ? '' : JSON.stringify(body);
  const bodySha256 = createHash('sha256').update(raw, 'utf8').digest('base64url');
  const iso = time.toISOString();
  const message = workstationProofMessage({
    workstationId: ws.id,
    time: iso,
    nonce,
    method,
    path,
    bodySha256,
  });
  return {
    [HEADER_WORKSTATION_TIME]: iso,
    [HEADER_WORKSTATION_NONCE]: nonce,
    [HEADER_WORKSTATION_PROOF]: sign(null, Buffer.from(message, 'utf8'), ws.privateKey).toString('base64'),
  };
}

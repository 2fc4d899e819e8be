/** A workstation of the benches, registered with its Ed25519 key as the workstation core registers one. */
import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { request } from 'undici';
import type { RequestMeta } from '../backend/http/meta';
import { proofHeaders } from '../backend/test/proofs';
import {
  HEADER_WORKSTATION,
  HEADER_WORKSTATION_NONCE,
  HEADER_WORKSTATION_PROOF,
  HEADER_WORKSTATION_TIME,
  workstationRegistrationMessage,
} from '../domain/backend-api';

export interface Keyed {
  id: string;
  /** DER SPKI, base64. */
  publicKey: string;
  privateKey: KeyObject;
}

/** A workstation registered as the core registers one: a challenge, then its public key signed over it. */
export async function registeredWorkstation(url: string): Promise<Keyed> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const ws = {
    id: randomUUID(),
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    privateKey,
  };
  const post = async (path: string, body?: unknown) => {
    const r = await request(`${url}${path}`, {
      method: 'POST',
      headers: {
        [HEADER_WORKSTATION]: ws.id,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (r.statusCode !== 200) throw new Error(`${path}: HTTP ${r.statusCode}: ${await r.body.text()}`);
    return (await r.body.json()) as Record<string, unknown>;
  };
  const { challenge } = await post('/v1/workstations/challenge');
  const unsigned = {
    workstationId: ws.id,
    label: 'Banc',
    publicKey: ws.publicKey,
    challenge: challenge as string,
  };
  await post('/v1/workstations/register', {
    ...unsigned,
    signature: sign(null, Buffer.from(workstationRegistrationMessage(unsigned)), privateKey).toString(
      'base64',
    ),
  });
  return ws;
}

/** A request's metadata with the workstation's proof, as the backend reads it from the headers (no HTTP). */
export function proofMeta(ws: Keyed, method: string, path: string, body?: unknown): RequestMeta {
  const h = proofHeaders(ws, new Date(), method, path, body);
  return {
    ip: '127.0.0.1',
    workstationId: ws.id,
    workstationLabel: null,
    appVersion: null,
    proof: {
      time: h[HEADER_WORKSTATION_TIME]!,
      nonce: h[HEADER_WORKSTATION_NONCE]!,
      signature: h[HEADER_WORKSTATION_PROOF]!,
      method,
      path,
      bodySha256: createHash('sha256')
        .update(body === undefined ? '' : JSON.stringify(body))
        .digest('base64url'),
    },
  };
}

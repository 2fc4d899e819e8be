/**
 * Calls the backend through its HTTP API, in process (Fastify inject: the whole HTTP stack without a socket), as
 * a workstation would: workstation id, label and app version headers, the caller's address.
 */
import type { Backend } from '../backend/app';
import { HEADER_APP_VERSION, HEADER_WORKSTATION, HEADER_WORKSTATION_LABEL } from '../domain/backend-api';

export interface WsRef {
  id: string;
  label: string;
}

export interface Answer {
  status: number;
  json: Record<string, unknown> & { code?: string };
}

export class Api {
  calls = 0;
  constructor(private readonly backend: Backend) {}
  async call(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    o: { ws?: WsRef | null; token?: string; body?: unknown; ip: string },
  ): Promise<Answer> {
    this.calls++;
    const headers: Record<string, string> = { [HEADER_APP_VERSION]: '0.1.0-sim' };
    if (o.ws) {
      headers[HEADER_WORKSTATION] = o.ws.id;
      headers[HEADER_WORKSTATION_LABEL] = encodeURIComponent(o.ws.label);
    }
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.backend.app.inject({
      method,
      url,
      headers,
      remoteAddress: o.ip,
      ...(o.body !== undefined ? { payload: JSON.stringify(o.body) } : {}),
    });
    let json: Answer['json'];
    try {
      json = res.json();
    } catch {
      json = {};
    }
    return { status: res.statusCode, json };
  }
}

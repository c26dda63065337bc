/**
 * An answer as it goes on the wire: status, every header (a fresh `request-id` GUID, docs/partner-api.md
 * §4, and the caller's `client-request-id` echoed back) and the serialized JSON body. The server
 * sends it whole; the faults that damage answers (faults.ts) send the same bytes cut or stalled,
 * so a test can compare them with an undamaged answer.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteResponse } from './referralRoutes.ts';

/** An answer ready for the wire: status, every header, and the serialized body if there is one. */
export interface Framed {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: Buffer | undefined;
}

export function frame(req: IncomingMessage, response: RouteResponse): Framed {
  const headers: Record<string, string> = { 'request-id': randomUUID(), ...response.headers };
  const clientRequestId = req.headers['client-request-id'];
  if (typeof clientRequestId === 'string') headers['client-request-id'] = clientRequestId;
  if (response.body === undefined) return { status: response.status, headers, payload: undefined };
  const payload = Buffer.from(JSON.stringify(response.body), 'utf8');
  return {
    status: response.status,
    headers: {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(payload.length),
    },
    payload,
  };
}

/** Sends `framed` whole, unless something (a fault, a gone client) already answered or dropped. */
export function writeFramed(res: ServerResponse, framed: Framed): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(framed.status, framed.headers);
  res.end(framed.payload);
}

export function send(req: IncomingMessage, res: ServerResponse, response: RouteResponse): void {
  writeFramed(res, frame(req, response));
}

/**
 * Writers for the faults that damage a real answer on its way out (see `Fault` in faults.ts). Each
 * takes the answer exactly as the emulator would have sent it, so a test can compare the bytes.
 */
import type { ServerResponse } from 'node:http';
import type { RouteResponse } from './referralRoutes.ts';

/** An answer ready for the wire: status, every header, and the serialized body if there is one. */
export interface Framed {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: Buffer | undefined;
}

/** Headers, status and the first half of the body; the caller leaves the socket open. */
export function writeStallMidBody(res: ServerResponse, framed: Framed): void {
  if (framed.payload === undefined) return;
  res.writeHead(framed.status, framed.headers);
  res.write(framed.payload.subarray(0, Math.floor(framed.payload.length / 2)));
}

/** Headers, status and a few body bytes, then a FIN so the client sees a body cut short. */
export function writeResetAfterHeaders(res: ServerResponse, framed: Framed): void {
  const socket = res.socket;
  if (framed.payload === undefined || framed.payload.length === 0) {
    socket?.resetAndDestroy();
    return;
  }
  res.writeHead(framed.status, framed.headers);
  const few = Math.max(1, Math.min(16, Math.floor(framed.payload.length / 2)));
  // Destroyed only once the bytes reached the kernel: destroying right away would discard them
  // (headers and first chunk are corked until the next tick). A plain close rather than an RST,
  // which could make the client's kernel drop the received bytes before they are read.
  res.write(framed.payload.subarray(0, few), () => socket?.destroy());
}

/** The first half of the body, framed as a complete response. */
export function truncated(framed: Framed): Framed {
  if (framed.payload === undefined) return framed;
  const payload = framed.payload.subarray(0, Math.floor(framed.payload.length / 2));
  return { ...framed, headers: { ...framed.headers, 'content-length': String(payload.length) }, payload };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function omitETag(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const { eTag: _eTag, ...rest } = value;
  return rest;
}

export function withoutETag(response: RouteResponse): RouteResponse {
  const headers = Object.fromEntries(
    Object.entries(response.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'etag'),
  );
  const body = omitETag(response.body);
  if (isRecord(body) && Array.isArray(body.value)) body.value = body.value.map(omitETag);
  return { ...response, headers, body };
}

export function wrongShapeBody(isList: boolean): unknown {
  return isList ? { value: { not: 'an array' } } : { id: 42, status: ['x'] };
}

const CHUNK_BYTES = 64 * 1024;
const PADDING_CHUNK = Buffer.alloc(CHUNK_BYTES, 'x');

/** Resolves when the response can take more bytes, or when it closed (so a gone client ends the loop). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * The body plus a `padding` string field making the document at least `bytes` bytes, written in
 * chunks with backpressure so even a huge size never sits in memory whole.
 */
export async function streamOversized(
  res: ServerResponse,
  framed: Framed,
  body: unknown,
  bytes: number,
): Promise<void> {
  const json = JSON.stringify(isRecord(body) ? body : body === undefined ? {} : { value: body });
  const head = Buffer.from(`${json.slice(0, -1)}${json === '{}' ? '' : ','}"padding":"`, 'utf8');
  const tail = Buffer.from('"}', 'utf8');
  let padding = Math.max(0, bytes - head.length - tail.length);
  const { 'content-length': _length, ...headers } = framed.headers;
  res.writeHead(framed.payload === undefined ? 200 : framed.status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
  });
  // The destroyed checks matter: a response that already closed never emits 'drain' or 'close' again.
  if (!res.write(head) && !res.destroyed) await drained(res);
  while (padding > 0 && !res.destroyed) {
    const chunk = PADDING_CHUNK.subarray(0, Math.min(CHUNK_BYTES, padding));
    padding -= chunk.length;
    if (!res.write(chunk) && !res.destroyed) await drained(res);
  }
  if (!res.destroyed) res.end(tail);
}

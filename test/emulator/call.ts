/** Tiny HTTP helpers for the emulator tests: real loopback requests with the global fetch. */
import type { Emulator } from '../../src/emulator/emulatorServer.ts';

export const ADMIN = 'Bearer admin-token';

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary response JSON
  readonly body: any;
}

export async function call(
  emulator: Emulator,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown; rawBody?: string; token?: string | null } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== null) headers.authorization = options.token ?? ADMIN;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const url = path.startsWith('http') ? path : `${emulator.url}${path}`;
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text === '' ? undefined : JSON.parse(text) };
}

export const REFERRALS = '/engagements/referrals';

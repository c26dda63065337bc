/**
 * (7) Slow clients hold nothing past their deadline: a body or headers trickled a byte at a time
 * are cut off, and connections beyond the cap are not kept. Raw sockets, so the test controls
 * every byte's timing.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type Stack, startStack, TEST_TOKEN } from '../helpers/stack.ts';

let stack: Stack;
let port: number;

beforeAll(async () => {
  stack = await startStack({
    REQUEST_TIMEOUT_MS: '1000',
    HTTP_HEADERS_TIMEOUT_MS: '1000',
    HTTP_MAX_CONNECTIONS: '4',
  });
  port = stack.gateway.port;
});
afterAll(async () => {
  await stack.close();
});

interface Trickle {
  /** Everything the server sent before it closed. */
  readonly received: string;
  /** Bytes of `tail` the client had sent when the server closed the connection. */
  readonly sent: number;
  /** True when the server closed before the client had sent everything. */
  readonly cutOff: boolean;
}

/** Sends `head` at once, then `tail` one byte every `everyMs`, until done or the server hangs up. */
function trickle(head: string, tail: string, everyMs: number): Promise<Trickle> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      received += chunk;
    });
    socket.once('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (sent >= tail.length) {
          clearInterval(timer);
          return;
        }
        socket.write(tail[sent] as string);
        sent += 1;
      }, everyMs);
    });
    socket.once('error', () => {
      // A reset while writing is the server hanging up too.
    });
    socket.once('close', () => {
      clearInterval(timer);
      resolve({ received, sent, cutOff: sent < tail.length });
    });
    setTimeout(() => {
      socket.destroy();
      reject(new Error('the server never closed the connection'));
    }, 15_000).unref();
  });
}

const BODY = JSON.stringify({ query: '{ referrals(first: 1) { edges { node { id } } } }' });

describe('(7) slow clients', () => {
  test('a body sent a byte at a time is answered 408 and the connection closed within the deadline', async () => {
    const head = [
      'POST /graphql HTTP/1.1',
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      `Authorization: ${TEST_TOKEN}`,
      `Content-Length: ${BODY.length}`,
      '',
      '',
    ].join('\r\n');
    // BODY.length bytes at one per 100 ms would take ~6 s; the deadline is 1 s.
    const result = await trickle(head, BODY, 100);
    expect(result.cutOff).toBe(true);
    expect(result.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(result.received).toMatch(/x-request-id: [0-9a-f-]{36}/i);
    expect(result.received).toContain('"code":"REQUEST_TIMEOUT"');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('headers sent a byte at a time are cut off by the header timeout', async () => {
    const headers = `Host: 127.0.0.1\r\nContent-Type: application/json\r\nX-Slow: ${'a'.repeat(60)}\r\n\r\n`;
    const result = await trickle('POST /graphql HTTP/1.1\r\n', headers, 100);
    expect(result.cutOff).toBe(true);
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('connections past HTTP_MAX_CONNECTIONS are dropped; the held ones still work', async () => {
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => resolve(socket));
        socket.once('error', reject);
      });
    const held = await Promise.all(Array.from({ length: 4 }, open));
    try {
      const extra = await open();
      const closed = await new Promise<boolean>((resolve) => {
        extra.once('close', () => resolve(true));
        extra.once('error', () => resolve(true));
        extra.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      expect(closed).toBe(true);
      const answer = await new Promise<string>((resolve) => {
        const socket = held[0] as Socket;
        socket.setEncoding('utf8');
        socket.once('data', resolve);
        socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });
});

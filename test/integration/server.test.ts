import { createHash } from 'node:crypto';
import { type ClientRequest, request } from 'node:http';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { TEST_TOKEN, useStack } from '../helpers/stack.ts';

/** Sends a node:http request as `send` writes it (bytes as given, unlike fetch) and reads the answer. */
function answerOf(
  req: ClientRequest,
  send: (req: ClientRequest) => void,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    send(req);
  });
}

describe('the HTTP server outside production', () => {
  const stack = useStack({ MAX_REQUEST_BYTES: '4096' });
  let origin: string;
  beforeAll(() => {
    origin = new URL(stack.gateway.url).origin;
  });

  test('GET /health answers 200 {"status":"ok"}', async () => {
    const res = await fetch(`${origin}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  test('unknown paths answer 404', async () => {
    expect((await fetch(`${origin}/nope`)).status).toBe(404);
  });

  test.each(['//', '/\\'])(
    'a request target no URL can be made of (%s) answers 400, and the gateway serves on',
    async (target) => {
      // fetch() would normalize the path: node:http sends it exactly as given.
      const answer = await answerOf(request(`${origin}/`, { path: target, method: 'GET' }), (req) =>
        req.end(),
      );
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('BAD_REQUEST');
      expect((await fetch(`${origin}/health`)).status).toBe(200);
    },
  );

  test('serves Apollo Sandbox to a browser on GET /graphql', async () => {
    const res = await fetch(stack.gateway.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/sandbox/i);
  });

  test('answers introspection', async () => {
    const res = await stack.gql('{ __type(name: "Referral") { fields { name } } }');
    const fields = (res.body.data as { __type: { fields: { name: string }[] } }).__type.fields.map(
      (f) => f.name,
    );
    expect(fields).toEqual(expect.arrayContaining(['id', 'etag', 'customerProfile', 'details']));
  });

  test('serves queries over GET with a CSRF-safe header', async () => {
    const query = encodeURIComponent('{ referrals(first: 1) { edges { node { id } } } }');
    const res = await fetch(`${stack.gateway.url}?query=${query}`, {
      headers: { authorization: TEST_TOKEN, 'apollo-require-preflight': 'true' },
    });
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { data: { referrals: { edges: unknown[] } } }).data.referrals.edges,
    ).toHaveLength(1);
  });

  test('keeps CSRF prevention on: a simple cross-site GET is refused before execution', async () => {
    stack.emulator.clearRequests();
    const query = encodeURIComponent('{ referrals(first: 1) { edges { node { id } } } }');
    const res = await fetch(`${stack.gateway.url}?query=${query}`, {
      headers: { authorization: TEST_TOKEN },
    });
    expect(res.status).toBe(400);
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('automatic persisted queries: hash only → PersistedQueryNotFound → hash + query → hash only', async () => {
    const query = '{ referrals(first: 2) { edges { node { id } } } }';
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
    const post = async (body: Record<string, unknown>) => {
      const res = await fetch(stack.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: TEST_TOKEN },
        body: JSON.stringify(body),
      });
      return (await res.json()) as {
        data?: { referrals: { edges: unknown[] } };
        errors?: { extensions: { code: string } }[];
      };
    };
    const missing = await post({ extensions: { persistedQuery } });
    expect(missing.errors?.[0]?.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await post({ query, extensions: { persistedQuery } });
    expect(registered.data?.referrals.edges).toHaveLength(2);
    stack.emulator.clearRequests();
    const byHash = await post({ extensions: { persistedQuery } });
    expect(byHash.data?.referrals.edges).toHaveLength(2);
    expect(stack.emulator.requests).toHaveLength(1);
  });

  test('CORS: the hosted Sandbox origin may call, an unlisted origin gets no CORS headers', async () => {
    const preflight = (origin: string) =>
      fetch(stack.gateway.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, authorization',
        },
      });
    const allowed = await preflight('https://studio.apollographql.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://studio.apollographql.com');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    const refused = await preflight('https://evil.example');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const post = await stack.gql('{ __typename }', undefined, { origin: 'https://studio.apollographql.com' });
    expect(post.headers.get('access-control-allow-origin')).toBe('https://studio.apollographql.com');
  });

  test('refuses a body over MAX_REQUEST_BYTES with 413', async () => {
    const res = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ referral(id: "${'x'.repeat(5000)}") { id } }` }),
    });
    expect(res.status).toBe(413);
    expect(
      ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code,
    ).toBe('BAD_REQUEST');
  });

  test.each([
    ['within', 3, 200],
    ['over', 40, 413],
  ])('a chunked body (no content-length) %s MAX_REQUEST_BYTES answers %i', async (_name, chunks, status) => {
    // 40 chunks of ~200 bytes exceed 4096 only while streaming: the limit is counted as bytes arrive.
    const padding = `# ${'p'.repeat(180)}\n`;
    const url = new URL(stack.gateway.url);
    const chunked = request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: TEST_TOKEN,
        'transfer-encoding': 'chunked',
      },
    });
    const answer = await answerOf(chunked, (req) => {
      const json = JSON.stringify({ query: `${padding.repeat(chunks)}{ __typename }` });
      for (let i = 0; i < json.length; i += 200) req.write(json.slice(i, i + 200));
      req.end();
    });
    expect(answer.status).toBe(status);
    if (status === 413) expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('BAD_REQUEST');
    else expect(JSON.parse(answer.body)).toEqual({ data: { __typename: 'Query' } });
  });

  test('refuses invalid JSON with 400 and a GraphQL error body', async () => {
    const res = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  test('a syntax error is a 400 with GRAPHQL_PARSE_FAILED', async () => {
    const res = await stack.gql('{ referral(id: ');
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});

describe('the HTTP server in production', () => {
  const stack = useStack({ NODE_ENV: 'production' });

  test('serves no landing page', async () => {
    const res = await fetch(stack.gateway.url, { headers: { accept: 'text/html' } });
    expect(await res.text()).not.toMatch(/sandbox/i);
  });

  test('refuses introspection', async () => {
    const res = await stack.gql('{ __schema { types { name } } }');
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  test('still answers queries', async () => {
    const res = await stack.gql('{ referrals(first: 2) { edges { node { id } } } }');
    expect((res.body.data as { referrals: { edges: unknown[] } }).referrals.edges).toHaveLength(2);
  });
});

describe('starting on a port that is taken', () => {
  test('fails with the listen error itself', async () => {
    const { createServer } = await import('node:net');
    const { loadConfig } = await import('../../src/config/config.ts');
    const { createLogger } = await import('../../src/log/logger.ts');
    const { startGateway } = await import('../../src/server/startGateway.ts');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const config = loadConfig({
        PORT: String(port),
        HOST: '127.0.0.1',
        PARTNER_API_URL: 'http://127.0.0.1:9/v1.0',
        METRICS_PORT: '0',
      });
      await expect(
        startGateway({ config, partnerApiUrl: 'http://127.0.0.1:9/v1.0', logger: createLogger('silent') }),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

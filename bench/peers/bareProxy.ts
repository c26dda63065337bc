/**
 * Contestant (b): a bare reverse proxy. node:http in, an undici Pool to the upstream out; method,
 * path, headers and body forwarded, the answer streamed back. $PORT, $UPSTREAM_ORIGIN.
 * With PROXY_JSON=1 (contestant `proxy+json`) a JSON answer is instead read whole, parsed and
 * serialized again: the least any layer that looks at the data (as GraphQL must) adds.
 */
import { createServer } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'undici';

const upstream = process.env.UPSTREAM_ORIGIN ?? 'http://127.0.0.1:4010';
const pool = new Pool(upstream, { connections: 64, pipelining: 1 });
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'upgrade']);
const REENCODE_JSON = process.env.PROXY_JSON === '1';

const server = createServer(async (req, res) => {
  // A client that goes away aborts the upstream request (and frees its pooled connection).
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  try {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const answer = await pool.request({
      method: (req.method ?? 'GET') as 'GET',
      path: req.url ?? '/',
      headers,
      body: hasBody ? req : null,
      signal: abort.signal,
    });
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
    }
    if (REENCODE_JSON && String(answer.headers['content-type']).startsWith('application/json')) {
      const text = JSON.stringify(JSON.parse(await answer.body.text()));
      delete out['content-length'];
      res.writeHead(answer.statusCode, { ...out, 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    res.writeHead(answer.statusCode, out);
    await pipeline(answer.body, res);
  } catch {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  }
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'proxy ready', address: server.address() })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.close().then(() => process.exit(0));
});

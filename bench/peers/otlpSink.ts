/**
 * A loopback OTLP/HTTP trace receiver for the `gateway+tracing` contestant: answers every
 * `POST /v1/traces` 200 with an empty `ExportTraceServiceResponse` (opentelemetry.io/docs/specs/otlp,
 * "OTLP/HTTP Response"), as a collector would, and only counts: `GET /__count` answers
 * `{"exports": n, "bytes": n}`. A process of its own, pinned with the load generator, so decoding
 * nothing costs the contestant nothing. $PORT.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let exports = 0;
let bytes = 0;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/__count') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ exports, bytes }));
    return;
  }
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  req.on('end', () => {
    exports++;
    const json = String(req.headers['content-type'] ?? '').startsWith('application/json');
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    res.end(json ? '{}' : undefined);
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ msg: 'otlp sink ready', url: `http://127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});

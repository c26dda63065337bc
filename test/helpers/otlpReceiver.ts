/**
 * A loopback OTLP/HTTP trace receiver, as a collector would be (opentelemetry.io/docs/specs/otlp:
 * `POST /v1/traces`, answered 200 with an empty `ExportTraceServiceResponse`). It keeps every
 * export it gets; the JSON ones (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`) are read into spans.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** OTLP's status code: 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
  readonly statusMessage: string;
  /** `service.name` of the resource that sent it. */
  readonly serviceName: string;
}

export interface Export {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
}

export interface OtlpReceiver {
  /** The base URL, for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  readonly url: string;
  readonly exports: readonly Export[];
  /** Every span of the JSON exports so far. */
  spans(): ReceivedSpan[];
  /** Waits until `probe` holds for the spans received (polling; fails after `ms`). */
  waitFor(probe: (spans: ReceivedSpan[]) => boolean, ms?: number): Promise<ReceivedSpan[]>;
  clear(): void;
  close(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}

interface OtlpJson {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: OtlpValue }[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: { key: string; value: OtlpValue }[];
        status?: { code?: number; message?: string };
      }[];
    }[];
  }[];
}

function otlpValue(value: OtlpValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(otlpValue);
  return undefined;
}

function attributesOf(list: { key: string; value: OtlpValue }[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, otlpValue(value)]));
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  let exports: Export[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const contentType = String(req.headers['content-type'] ?? '');
      exports.push({ path: req.url ?? '', contentType, body: Buffer.concat(chunks) });
      res.statusCode = 200;
      if (contentType.startsWith('application/json')) {
        res.setHeader('content-type', 'application/json');
        res.end('{}');
      } else {
        res.setHeader('content-type', 'application/x-protobuf');
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  function spans(): ReceivedSpan[] {
    const all: ReceivedSpan[] = [];
    for (const exported of exports) {
      if (!exported.contentType.startsWith('application/json')) continue;
      const json = JSON.parse(exported.body.toString('utf8')) as OtlpJson;
      for (const resourceSpans of json.resourceSpans ?? []) {
        const serviceName = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? '');
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            all.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId ?? '',
              name: span.name,
              kind: span.kind,
              attributes: attributesOf(span.attributes),
              statusCode: span.status?.code ?? 0,
              statusMessage: span.status?.message ?? '',
              serviceName,
            });
          }
        }
      }
    }
    return all;
  }

  return {
    url: `http://127.0.0.1:${port}`,
    get exports() {
      return exports;
    },
    spans,
    async waitFor(probe, ms = 10_000) {
      const until = Date.now() + ms;
      for (;;) {
        const received = spans();
        if (probe(received)) return received;
        if (Date.now() > until)
          throw new Error(`spans not received in time; got ${JSON.stringify(received)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    clear() {
      exports = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

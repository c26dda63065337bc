/**
 * Listening on a configured port, for the gateway's two servers (GraphQL on `PORT`, metrics on
 * `METRICS_PORT`). A port that is taken, or not ours to use, is a configuration problem: it is
 * refused with a one-line reason naming its variable, as a bad value is (src/config/config.ts),
 * and main.ts prints that line instead of a stack trace. Plain HTTP plumbing, no GraphQL.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where a server listens, and the variable that said so (for the reason). */
export interface ListenSetting {
  /** `PORT`, `METRICS_PORT`, `EMULATOR_PORT`. */
  readonly variable: string;
  readonly port: number;
  readonly host: string;
}

export class PortUnavailableError extends Error {
  override readonly name = 'PortUnavailableError';
  /** The listen error's own code, kept for callers that tell the two apart. */
  readonly code: 'EADDRINUSE' | 'EACCES';

  constructor(message: string, code: 'EADDRINUSE' | 'EACCES', options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** The one-line reason for a listen error that is about the port, else `undefined`. */
export function portUnavailable(error: unknown, setting: ListenSetting): PortUnavailableError | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code !== 'EADDRINUSE' && code !== 'EACCES') return undefined;
  const { variable, port, host } = setting;
  return new PortUnavailableError(
    `${variable} ${port} on ${host} is ${code === 'EADDRINUSE' ? 'already in use' : 'not ours to use'}: set ${variable} to a free port (0 picks one)`,
    code,
    { cause: error },
  );
}

/** Listens, or rejects (a `PortUnavailableError` when the port is the problem); resolves with the port bound. */
export async function listen(server: Server, setting: ListenSetting): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(setting.port, setting.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    throw portUnavailable(error, setting) ?? error;
  }
  return (server.address() as AddressInfo).port;
}

/** The host of a URL that reaches a server listening on `host`: a wildcard address is reached as localhost. */
export function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

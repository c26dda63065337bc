/**
 * A TCP proxy on loopback that a test can make misbehave between a client and a server (Redis):
 * hold back what clients send (all of it, or from the first chunk a predicate picks), cut the
 * clients' side of every connection as a network failure would while the server's side stays
 * open, then deliver what it held back. Server-to-client bytes always pass.
 */
import { createServer, connect as netConnect, type Socket } from 'node:net';

export interface HoldingProxy {
  readonly port: number;
  /** Bytes held back so far (not yet delivered to the server). */
  readonly heldBytes: number;
  /**
   * From now on, what a client sends is held back from the first chunk `when` picks (default:
   * every chunk); a connection holding something holds everything after it, in order.
   */
  hold(when?: (chunk: Buffer) => boolean): void;
  /** Destroys the client side of every connection; the server side and what was held stay. */
  cutClients(): void;
  /** Delivers everything held back and stops holding; a cut connection's server side then ends. */
  release(): void;
  close(): Promise<void>;
}

interface Link {
  readonly client: Socket;
  readonly server: Socket;
  held: Buffer[];
  clientGone: boolean;
}

/** The RESP bytes of a command named `name` (ioredis writes names in lower case). */
export const isCommand =
  (name: string) =>
  (chunk: Buffer): boolean =>
    chunk.toString('latin1').toLowerCase().includes(`\r\n$${name.length}\r\n${name.toLowerCase()}\r\n`);

export async function holdingProxy(targetPort: number): Promise<HoldingProxy> {
  const links = new Set<Link>();
  let holding: ((chunk: Buffer) => boolean) | undefined;
  const server = createServer((client) => {
    const upstream = netConnect(targetPort, '127.0.0.1');
    const link: Link = { client, server: upstream, held: [], clientGone: false };
    links.add(link);
    client.on('data', (chunk: Buffer) => {
      if (link.held.length > 0 || holding?.(chunk)) link.held.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!link.clientGone) client.write(chunk);
    });
    const clientClosed = (): void => {
      link.clientGone = true;
      if (link.held.length === 0) upstream.end();
    };
    client.on('close', clientClosed);
    client.on('error', () => {});
    upstream.on('error', () => {});
    upstream.on('close', () => {
      links.delete(link);
      client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    get heldBytes() {
      let bytes = 0;
      for (const link of links) for (const chunk of link.held) bytes += chunk.length;
      return bytes;
    },
    hold(when = () => true) {
      holding = when;
    },
    cutClients() {
      for (const link of links) link.client.destroy();
    },
    release() {
      holding = undefined;
      for (const link of links) {
        for (const chunk of link.held) link.server.write(chunk);
        link.held = [];
        if (link.clientGone) link.server.end();
      }
    },
    async close() {
      for (const link of links) {
        link.client.destroy();
        link.server.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

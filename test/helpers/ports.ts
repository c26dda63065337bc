/**
 * Free loopback ports for tests that must name a port before something listens on it (a
 * `redis-server` of their own, a URL nothing answers at), and a probe of whether one is taken.
 */
import { type AddressInfo, connect, createServer } from 'node:net';

/** A loopback port nothing listens on now (taken from the kernel, then freed). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves with the socket error code, or `connected` when something still listens on the port. */
export function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

/**
 * Free loopback ports for tests that must name a port before something listens on it (a
 * `redis-server` of their own, a URL nothing answers at).
 */
import { type AddressInfo, createServer } from 'node:net';

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

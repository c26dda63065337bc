/** Reads a request body fully, up to a size cap, without ever buffering more than the cap. */
import type { IncomingMessage } from 'node:http';

export type BodyResult = { readonly kind: 'ok'; readonly text: string } | { readonly kind: 'tooLarge' };

export function readBody(req: IncomingMessage, limitBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) return Promise.resolve({ kind: 'tooLarge' });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limitBytes) {
        done = true;
        chunks.length = 0;
        resolve({ kind: 'tooLarge' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve({ kind: 'ok', text: Buffer.concat(chunks).toString('utf8') });
    });
    req.on('close', () => {
      if (done) return;
      done = true;
      reject(new Error('the request closed before its body ended'));
    });
    req.on('error', (error) => {
      if (done) return;
      done = true;
      reject(error);
    });
  });
}

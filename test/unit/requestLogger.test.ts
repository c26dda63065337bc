import { describe, expect, test } from '@jest/globals';
import { createLogger } from '../../src/log/logger.ts';
import { RequestLogger } from '../../src/log/requestLogger.ts';

function capture(level: 'info' | 'warn') {
  const lines: Record<string, unknown>[] = [];
  const base = createLogger(level, { write: (line: string) => lines.push(JSON.parse(line)) });
  let children = 0;
  const child = base.child.bind(base);
  base.child = ((...args: Parameters<typeof child>) => {
    children++;
    return child(...args);
  }) as typeof base.child;
  return { base, lines, children: () => children };
}

describe('RequestLogger', () => {
  test('writes each line with the request ids, through one child', () => {
    const { base, lines, children } = capture('info');
    const logger = new RequestLogger(base, { requestId: 'r-1', correlationId: 'c-1' });
    logger.info({ a: 1 }, 'first');
    logger.warn({ b: 2 }, 'second');
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, requestId: 'r-1', correlationId: 'c-1', a: 1, msg: 'first' }),
      expect.objectContaining({ level: 40, requestId: 'r-1', correlationId: 'c-1', b: 2, msg: 'second' }),
    ]);
    expect(children()).toBe(1);
  });

  test('makes no child and writes nothing below the configured level', () => {
    const { base, lines, children } = capture('warn');
    const logger = new RequestLogger(base, { requestId: 'r-2', correlationId: 'c-2' });
    logger.info({ a: 1 }, 'dropped');
    expect(lines).toEqual([]);
    expect(children()).toBe(0);
    logger.error({ authorization: 'Bearer secret' }, 'kept');
    expect(lines).toEqual([
      expect.objectContaining({ level: 50, requestId: 'r-2', authorization: '[redacted]' }),
    ]);
  });
});

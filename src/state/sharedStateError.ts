/**
 * Redis (the shared state, README "Shared state (Redis)") could not be asked: refused or reset
 * connection, no connection yet, a command past `REDIS_COMMAND_TIMEOUT_MS` or the request's end,
 * or an error reply.
 * Stores that must not guess (idempotency) throw it; src/errors/format.ts shows it to the client
 * as `SHARED_STATE_UNAVAILABLE`. The cause stays in the logs, never in an answer.
 */
export class SharedStateUnavailableError extends Error {
  override readonly name = 'SharedStateUnavailableError';
  /**
   * Whether the command may still run on Redis (it was written, and its answer is missing or
   * late); false only when it was never written (no connection, or the request was over first).
   */
  readonly mayHaveRun: boolean;

  constructor(operation: string, cause?: unknown, mayHaveRun = true) {
    super(`shared state unavailable (${operation})`, { cause });
    this.mayHaveRun = mayHaveRun;
  }
}

export function isSharedStateUnavailable(error: unknown): error is SharedStateUnavailableError {
  return error instanceof SharedStateUnavailableError;
}

/** Why Redis failed, for a log line: the client's reason (never a key or a value). */
export function sharedStateCause(error: unknown): string {
  const cause =
    error instanceof SharedStateUnavailableError && error.cause !== undefined ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

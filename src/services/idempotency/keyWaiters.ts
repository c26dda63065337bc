/**
 * Requests of this process waiting for a key of an idempotency store (idempotencyStore.ts) to
 * change: the one that holds it finishing, completing or releasing it. Both stores use it: the
 * memory store to wake waiters at once, the Redis one (src/state/redisIdempotencyStore.ts) for
 * keys finished on this replica, between its polls. A listener per waiting request, dropped as
 * soon as it fires, so an idle key holds nothing.
 */
export class KeyWaiters {
  readonly #waiters = new Map<string, Set<() => void>>();

  /** Resolves when `key` changes (`notify`), after `ms`, or on abort, whichever comes first. */
  changed(key: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.#waiters.get(key);
      if (waiters === undefined) {
        waiters = new Set();
        this.#waiters.set(key, waiters);
      }
      const set = waiters;
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0 && this.#waiters.get(key) === set) this.#waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      signal?.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }

  /** Wakes every request waiting for `key`. */
  notify(key: string): void {
    const waiters = this.#waiters.get(key);
    if (waiters === undefined) return;
    for (const wake of [...waiters]) wake();
  }
}

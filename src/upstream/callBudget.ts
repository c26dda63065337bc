/**
 * How many Partner API calls one GraphQL request may make, counted across every resolver (aliases,
 * `_entities` representations and retries included) and spent before each call is sent. A request
 * that runs out gets no further calls: the caller learns it from `tryTake()` returning false.
 * One budget per request; it never outlives the request that owns it.
 */
export class UpstreamCallBudget {
  readonly limit: number;
  #used = 0;
  #refused = false;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Spends one call; false (and nothing spent) once the limit is reached. */
  tryTake(): boolean {
    if (this.#used >= this.limit) {
      this.#refused = true;
      return false;
    }
    this.#used += 1;
    return true;
  }

  /** Calls spent so far. */
  get used(): number {
    return this.#used;
  }

  /** True once a call was refused for want of budget. */
  get exhausted(): boolean {
    return this.#refused;
  }
}

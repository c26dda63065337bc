/**
 * The shape of a request's variables, bounded before graphql-js coerces them. Coercion costs
 * microseconds per value and builds an error (with "Did you mean" suggestions) per unknown key,
 * so 70,000 team members in one 1 MiB body held the event loop for half a second per request,
 * while the resolver would refuse any list past 100 items anyway (inputLimits.ts). A walk over
 * the raw JSON is a small fraction of that and stops at the first bound broken.
 */
export interface VariableBounds {
  /** Items of any one list; `_entities` representations are the longest real list. */
  readonly maxListItems: number;
  /** Keys of any one object; the widest input type has 13 fields. */
  readonly maxObjectKeys: number;
  /** Nesting of lists and objects; the deepest input is 5 levels. */
  readonly maxDepth: number;
}

/** What is wrong with `variables`, for the client, or `undefined` when they are within bounds. */
export function variableShapeProblem(variables: unknown, bounds: VariableBounds): string | undefined {
  const visit = (value: unknown, depth: number): string | undefined => {
    if (value === null || typeof value !== 'object') return undefined;
    if (depth > bounds.maxDepth) return `Variables may nest at most ${bounds.maxDepth} levels.`;
    if (Array.isArray(value)) {
      if (value.length > bounds.maxListItems)
        return `A list in the variables may have at most ${bounds.maxListItems} items.`;
      for (const item of value) {
        const problem = visit(item, depth + 1);
        if (problem) return problem;
      }
      return undefined;
    }
    let keys = 0;
    for (const key in value) {
      keys += 1;
      if (keys > bounds.maxObjectKeys)
        return `An object in the variables may have at most ${bounds.maxObjectKeys} fields.`;
      const problem = visit((value as Record<string, unknown>)[key], depth + 1);
      if (problem) return problem;
    }
    return undefined;
  };
  return visit(variables, 0);
}

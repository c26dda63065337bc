/**
 * A parser and evaluator for the OData `$filter` subset the Partner API docs use
 * (docs/partner-api.md §3.1): `eq`, `ne`, `and`, `or`, `not`, parentheses, nested paths with `/`
 * (`customerProfile/address/country eq 'US'`), the lambda `team/any(t:t/email eq 'x@y.com')`,
 * single-quoted strings with `''` as the escaped quote, numbers, `true`/`false`/`null` and
 * unquoted GUIDs. The real grammar is undocumented (§11), so anything else is a syntax error,
 * which the server answers with 400 `invalidRequest`.
 */

export class ODataFilterError extends Error {
  /** Character offset in the filter text where parsing failed. */
  readonly position: number;

  constructor(message: string, position: number) {
    super(`Invalid $filter at position ${position}: ${message}`);
    this.name = 'ODataFilterError';
    this.position = position;
  }
}

export type Literal =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'guid'; readonly value: string };

export type Operand = { readonly kind: 'literal'; readonly literal: Literal } | PathOperand;

export interface PathOperand {
  readonly kind: 'path';
  readonly segments: readonly string[];
}

export type FilterExpr =
  | { readonly kind: 'and' | 'or'; readonly left: FilterExpr; readonly right: FilterExpr }
  | { readonly kind: 'not'; readonly operand: FilterExpr }
  | { readonly kind: 'compare'; readonly op: 'eq' | 'ne'; readonly left: Operand; readonly right: Operand }
  | {
      readonly kind: 'any';
      readonly collection: PathOperand;
      readonly variable?: string;
      readonly predicate?: FilterExpr;
    }
  /** A bare boolean path such as `favorite`. */
  | { readonly kind: 'truthy'; readonly path: PathOperand };

type Token =
  | { readonly type: 'punct'; readonly value: '(' | ')' | '/' | ':'; readonly pos: number }
  | { readonly type: 'ident'; readonly value: string; readonly pos: number }
  | { readonly type: 'literal'; readonly literal: Literal; readonly pos: number }
  | { readonly type: 'end'; readonly pos: number };

const GUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const at = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    return re.exec(text)?.[0];
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === '/' || ch === ':') {
      tokens.push({ type: 'punct', value: ch, pos: i });
      i += 1;
      continue;
    }
    if (ch === "'") {
      const start = i;
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) throw new ODataFilterError('unterminated string literal', start);
        const c = text[i] as string;
        if (c === "'") {
          // OData escapes a quote inside a string by doubling it: 'O''Brien'.
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += c;
        i += 1;
      }
      tokens.push({ type: 'literal', literal: { kind: 'string', value }, pos: start });
      continue;
    }
    // GUIDs first: one may start with digits or letters and would otherwise lex as a number or name.
    const guid = at(GUID);
    if (guid !== undefined) {
      tokens.push({ type: 'literal', literal: { kind: 'guid', value: guid }, pos: i });
      i += guid.length;
      continue;
    }
    const num = at(NUMBER);
    if (num !== undefined) {
      tokens.push({ type: 'literal', literal: { kind: 'number', value: Number(num) }, pos: i });
      i += num.length;
      continue;
    }
    const ident = at(IDENT);
    if (ident !== undefined) {
      tokens.push({ type: 'ident', value: ident, pos: i });
      i += ident.length;
      continue;
    }
    throw new ODataFilterError(`unexpected character ${JSON.stringify(ch)}`, i);
  }
  tokens.push({ type: 'end', pos: text.length });
  return tokens;
}

const KEYWORDS = new Set(['eq', 'ne', 'and', 'or', 'not', 'any']);

class Parser {
  readonly #tokens: Token[];
  #index = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  parse(): FilterExpr {
    const expr = this.#or();
    const next = this.#peek();
    if (next.type !== 'end') throw new ODataFilterError('unexpected trailing input', next.pos);
    return expr;
  }

  #peek(): Token {
    return this.#tokens[this.#index] as Token;
  }

  #take(): Token {
    const token = this.#peek();
    if (token.type !== 'end') this.#index += 1;
    return token;
  }

  #isWord(word: string): boolean {
    const token = this.#peek();
    return token.type === 'ident' && token.value === word;
  }

  #isPunct(value: string): boolean {
    const token = this.#peek();
    return token.type === 'punct' && token.value === value;
  }

  #expectPunct(value: '(' | ')' | '/' | ':'): void {
    const token = this.#take();
    if (token.type !== 'punct' || token.value !== value) {
      throw new ODataFilterError(`expected '${value}'`, token.pos);
    }
  }

  #or(): FilterExpr {
    return this.#chain('or', () => this.#and());
  }

  #and(): FilterExpr {
    return this.#chain('and', () => this.#unary());
  }

  /** `operand (word operand)*`, left-associative. */
  #chain(word: 'or' | 'and', operand: () => FilterExpr): FilterExpr {
    let left = operand();
    while (this.#isWord(word)) {
      this.#take();
      left = { kind: word, left, right: operand() };
    }
    return left;
  }

  #unary(): FilterExpr {
    if (this.#isWord('not')) {
      this.#take();
      return { kind: 'not', operand: this.#unary() };
    }
    if (this.#isPunct('(')) {
      this.#take();
      const inner = this.#or();
      this.#expectPunct(')');
      return inner;
    }
    return this.#comparisonOrLambda();
  }

  #comparisonOrLambda(): FilterExpr {
    const start = this.#peek();
    const left = this.#operand();
    if (left.kind === 'path' && this.#isPunct('/')) {
      // `path/any(...)`: the only function-like form the docs use.
      this.#take();
      const fn = this.#take();
      if (fn.type !== 'ident' || fn.value !== 'any') throw new ODataFilterError("expected 'any'", fn.pos);
      return this.#lambda(left);
    }
    const opToken = this.#peek();
    if (opToken.type === 'ident' && (opToken.value === 'eq' || opToken.value === 'ne')) {
      this.#take();
      return { kind: 'compare', op: opToken.value, left, right: this.#operand() };
    }
    if (left.kind === 'path') return { kind: 'truthy', path: left };
    throw new ODataFilterError("expected 'eq' or 'ne'", start.pos);
  }

  #lambda(collection: PathOperand): FilterExpr {
    this.#expectPunct('(');
    if (this.#isPunct(')')) {
      this.#take();
      return { kind: 'any', collection };
    }
    const variable = this.#take();
    if (variable.type !== 'ident' || KEYWORDS.has(variable.value)) {
      throw new ODataFilterError('expected a lambda variable name', variable.pos);
    }
    this.#expectPunct(':');
    const predicate = this.#or();
    this.#expectPunct(')');
    return { kind: 'any', collection, variable: variable.value, predicate };
  }

  #operand(): Operand {
    const token = this.#take();
    if (token.type === 'literal') return { kind: 'literal', literal: token.literal };
    if (token.type === 'ident') {
      if (token.value === 'true' || token.value === 'false') {
        return { kind: 'literal', literal: { kind: 'boolean', value: token.value === 'true' } };
      }
      if (token.value === 'null') return { kind: 'literal', literal: { kind: 'null' } };
      if (KEYWORDS.has(token.value)) throw new ODataFilterError(`unexpected '${token.value}'`, token.pos);
      const segments = [token.value];
      // Consume `/segment` pairs, but leave `/any` for the caller.
      while (this.#isPunct('/')) {
        const next = this.#tokens[this.#index + 1];
        if (next?.type !== 'ident')
          throw new ODataFilterError('expected a property name after /', next?.pos ?? 0);
        if (next.value === 'any') break;
        this.#take();
        this.#take();
        segments.push(next.value);
      }
      return { kind: 'path', segments };
    }
    throw new ODataFilterError('expected a value or a property path', token.pos);
  }
}

/** Parses `text`; throws `ODataFilterError` on any syntax error. */
export function parseFilter(text: string): FilterExpr {
  if (text.trim() === '') throw new ODataFilterError('empty filter', 0);
  return new Parser(tokenize(text)).parse();
}

type Scope = ReadonlyMap<string, unknown>;

function resolve(path: PathOperand, item: unknown, scope: Scope): unknown {
  const [first, ...rest] = path.segments;
  let current: unknown = first !== undefined && scope.has(first) ? scope.get(first) : item;
  const segments = first !== undefined && scope.has(first) ? rest : path.segments;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = Object.hasOwn(current, segment) ? (current as Record<string, unknown>)[segment] : undefined;
  }
  return current;
}

function value(operand: Operand, item: unknown, scope: Scope): Literal | { kind: 'other'; value: unknown } {
  if (operand.kind === 'literal') return operand.literal;
  const v = resolve(operand, item, scope);
  // An absent path compares like null.
  if (v === undefined || v === null) return { kind: 'null' };
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (typeof v === 'number') return { kind: 'number', value: v };
  if (typeof v === 'boolean') return { kind: 'boolean', value: v };
  return { kind: 'other', value: v };
}

function equals(a: ReturnType<typeof value>, b: ReturnType<typeof value>): boolean {
  if (a.kind === 'null' || b.kind === 'null') return a.kind === b.kind;
  // A GUID is a typed OData value and GUIDs are case-insensitive; plain strings compare exactly.
  if (a.kind === 'guid' || b.kind === 'guid') {
    const av = a.kind === 'guid' || a.kind === 'string' ? a.value : undefined;
    const bv = b.kind === 'guid' || b.kind === 'string' ? b.value : undefined;
    return av !== undefined && bv !== undefined && av.toLowerCase() === bv.toLowerCase();
  }
  if (a.kind === 'other' || b.kind === 'other') return false;
  return a.kind === b.kind && a.value === b.value;
}

function evaluate(expr: FilterExpr, item: unknown, scope: Scope): boolean {
  switch (expr.kind) {
    case 'and':
      return evaluate(expr.left, item, scope) && evaluate(expr.right, item, scope);
    case 'or':
      return evaluate(expr.left, item, scope) || evaluate(expr.right, item, scope);
    case 'not':
      return !evaluate(expr.operand, item, scope);
    case 'compare': {
      const same = equals(value(expr.left, item, scope), value(expr.right, item, scope));
      return expr.op === 'eq' ? same : !same;
    }
    case 'truthy':
      return resolve(expr.path, item, scope) === true;
    case 'any': {
      const collection = resolve(expr.collection, item, scope);
      if (!Array.isArray(collection)) return false;
      const { variable, predicate } = expr;
      if (variable === undefined || predicate === undefined) return collection.length > 0;
      return collection.some((element) =>
        evaluate(predicate, item, new Map([...scope, [variable, element]])),
      );
    }
  }
}

/** True when `item` satisfies the parsed filter. */
export function evaluateFilter(expr: FilterExpr, item: unknown): boolean {
  return evaluate(expr, item, new Map());
}

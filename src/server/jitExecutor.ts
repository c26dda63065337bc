/**
 * Executes operations with graphql-jit instead of graphql-js. graphql-js interprets the document
 * on every request: per field it looks up the definition, coerces arguments, builds a path and
 * an info object. graphql-jit compiles each operation once into a plain function. On the
 * 50-referral list with every field, execution fell from 3.9 to 0.5 ms of CPU per operation
 * (bench/RESULTS.md), with a byte-identical answer (test/integration/jitExecutor.test.ts).
 *
 * Apollo Server 4 dropped its `executor` option. Its migration guide points to the `gateway`
 * option as the way to supply one, so this is a minimal GatewayInterface that serves one static
 * schema. Parsing, validation, operation limits, APQ, plugins and error formatting stay Apollo's.
 */
import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import {
  type DocumentNode,
  type ExecutionResult,
  execute,
  GraphQLError,
  type GraphQLSchema,
  getVariableValues,
  type OperationDefinitionNode,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { BoundedCache } from './boundedCache.ts';

/** What Apollo's `gateway` option takes (Apollo's name; not the gateway this project is). */
type GatewayOption = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type Executor = (request: ExecutionRequest) => Promise<ExecutionResult>;

/** What the executor needs of Apollo's request context. */
export interface ExecutionRequest {
  readonly document: DocumentNode;
  /** Absent when no operation matches `operationName`: graphql-js then answers with the error. */
  readonly operation?: OperationDefinitionNode | undefined;
  readonly queryHash: string;
  readonly request: {
    readonly operationName?: string | undefined;
    readonly variables?: Record<string, unknown> | undefined;
  };
  readonly context: unknown;
}

export interface JitOptions {
  /** Compiled operations kept (least recently used evicted): bounds memory under unique documents. */
  readonly maxCompiledOperations: number;
}

/** `null`: graphql-jit cannot compile this operation, so graphql-js runs it. */
type Compiled = CompiledQuery | null;

export function createJitExecutor(schema: GraphQLSchema, options: JitOptions): Executor {
  const compiled = new BoundedCache<string, Compiled>(options.maxCompiledOperations);

  function compile(request: ExecutionRequest, operation: OperationDefinitionNode): Compiled {
    // The document was parsed from the query with this hash: hash + operation name is its identity.
    const key = `${request.queryHash}\u0000${operation.name?.value ?? ''}`;
    let entry = compiled.get(key);
    if (entry === undefined) {
      const result = compileQuery(schema, request.document, operation.name?.value, {
        // Stacks are never shown to clients or logged (src/errors/format.ts): don't pay for them.
        disablingCapturingStackErrors: true,
      });
      entry = isCompiledQuery(result) ? result : null;
      compiled.set(key, entry);
    }
    return entry;
  }

  /**
   * graphql-jit coerces the variables itself before it runs anything, as strictly as graphql-js
   * (test/integration/jitExecutor.test.ts compares them), and answers `{ errors }` without `data`
   * only when it refused them (graphql-jit's `createBoundQuery`; an execution always has `data`).
   * Only then does graphql-js coerce them again, so a bad variable gets graphql-js's exact error,
   * which Apollo recognises and answers with 400 BAD_USER_INPUT (graphql-over-http). Coercing
   * them with graphql-js first on every request cost more than executing a createReferral
   * (46 µs of CPU per operation in a profile of bench scenario 6). Should graphql-js accept what
   * jit refused, graphql-js runs the operation.
   */
  function refusedVariables(
    operation: OperationDefinitionNode,
    variables: Record<string, unknown>,
    interpret: () => Promise<ExecutionResult> | ExecutionResult,
  ): Promise<ExecutionResult> | ExecutionResult {
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
    return coerced.errors ? { errors: coerced.errors } : interpret();
  }

  return async (request) => {
    const { operation } = request;
    const variables = request.request.variables ?? {};
    const interpret = () =>
      execute({
        schema,
        document: request.document,
        operationName: request.request.operationName,
        variableValues: variables,
        contextValue: request.context,
      });
    if (operation === undefined) return interpret();
    const query = compile(request, operation);
    if (query === null) return interpret();
    const result = await query.query(undefined, request.context, variables);
    if (!('data' in result)) return refusedVariables(operation, variables, interpret);
    return result.errors ? { ...result, errors: result.errors.map(asGraphQLJsError) } : result;
  };
}

/**
 * graphql-jit's errors inherit from GraphQLError but leave `extensions` undefined when the thrown
 * error had none, and Apollo's error formatting reads `extensions.code` of every error. The same
 * error built by graphql-js's own constructor has `extensions: {}` and keeps the original error
 * (what src/errors/format.ts decides on) and jit's already computed locations.
 */
function asGraphQLJsError(error: GraphQLError): GraphQLError {
  if (error.extensions !== undefined) return error;
  const copy = new GraphQLError(error.message, {
    path: error.path,
    ...(error.originalError ? { originalError: error.originalError } : {}),
  });
  Object.defineProperty(copy, 'locations', { value: error.locations, enumerable: true });
  return copy;
}

/** Apollo's `gateway` option, serving `schema` with `executor`. */
export function staticSchemaGateway(schema: GraphQLSchema, executor: Executor): GatewayOption {
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async load() {
      return { executor: (requestContext) => executor(requestContext) };
    },
    async stop() {},
  };
}

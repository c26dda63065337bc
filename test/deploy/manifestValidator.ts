/**
 * Offline validation of the Kubernetes manifests in deploy/, in two passes over the models that
 * `kubernetes-models` (and `@kubernetes-models/prometheus-operator`) generate from the Kubernetes
 * OpenAPI schemas and the Prometheus Operator's CRD:
 *
 * 1. schema: each object's `validate()`, the JSON Schema of its kind compiled with ajv (types,
 *    required fields, enums, formats such as int32 and IntOrString);
 * 2. strict: unknown fields. Those JSON Schemas do not say `additionalProperties: false`, so
 *    `validate()` lets a misspelt field through (as `kubectl apply` without `--validate=strict`
 *    would, silently dropping it). The same package's TypeScript interfaces are exact, so every
 *    manifest is type-checked as an object literal of its kind's interface with the TypeScript
 *    compiler, whose excess-property check refuses any field the schema does not define, at any
 *    depth (the role of kubeconform's `-strict`).
 *
 * No network: the schemas ship inside the npm packages. A kind without a model is refused, not
 * skipped.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

export interface Manifest {
  /** Path relative to the repository root. */
  readonly file: string;
  /** Position of the document in its file (YAML files may hold several). */
  readonly index: number;
  readonly object: Record<string, unknown>;
}

export interface Problem {
  /** `file#index kind/name` */
  readonly where: string;
  readonly pass: 'yaml' | 'kind' | 'schema' | 'strict';
  readonly message: string;
}

interface ModelKind {
  /** Module exporting the model class `name` and its interface `I<name>`. */
  readonly module: string;
  readonly name: string;
}

/** The kinds deploy/ uses, by `apiVersion kind`. */
const KINDS: Readonly<Record<string, ModelKind>> = {
  'apps/v1 Deployment': { module: 'kubernetes-models/apps/v1/Deployment', name: 'Deployment' },
  'v1 Service': { module: 'kubernetes-models/v1/Service', name: 'Service' },
  'v1 ConfigMap': { module: 'kubernetes-models/v1/ConfigMap', name: 'ConfigMap' },
  'v1 Secret': { module: 'kubernetes-models/v1/Secret', name: 'Secret' },
  'autoscaling/v2 HorizontalPodAutoscaler': {
    module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
    name: 'HorizontalPodAutoscaler',
  },
  'policy/v1 PodDisruptionBudget': {
    module: 'kubernetes-models/policy/v1/PodDisruptionBudget',
    name: 'PodDisruptionBudget',
  },
  'monitoring.coreos.com/v1 ServiceMonitor': {
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor',
    name: 'ServiceMonitor',
  },
};

const ROOT = new URL('../../', import.meta.url).pathname;

/** Every `*.yaml` under `dir` but the kustomization, parsed; YAML errors are problems too. */
export function loadManifests(dir: string): { manifests: Manifest[]; problems: Problem[] } {
  const manifests: Manifest[] = [];
  const problems: Problem[] = [];
  for (const path of yamlFiles(dir)) {
    if (path.endsWith('/kustomization.yaml')) continue;
    const file = relative(ROOT, path);
    parseAllDocuments(readFileSync(path, 'utf8')).forEach((doc, index) => {
      if ('errors' in doc && (doc.errors.length > 0 || doc.warnings.length > 0)) {
        for (const error of [...doc.errors, ...doc.warnings])
          problems.push({ where: `${file}#${index}`, pass: 'yaml', message: error.message });
        return;
      }
      const object: unknown = doc.toJS();
      if (object === null || typeof object !== 'object' || Array.isArray(object)) {
        problems.push({ where: `${file}#${index}`, pass: 'yaml', message: 'not a YAML mapping' });
        return;
      }
      manifests.push({ file, index, object: object as Record<string, unknown> });
    });
  }
  return { manifests, problems };
}

export function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return yamlFiles(path);
      return name.endsWith('.yaml') || name.endsWith('.yml') ? [path] : [];
    });
}

export function describeManifest(m: Manifest): string {
  const name = (m.object.metadata as { name?: unknown } | undefined)?.name;
  return `${m.file}#${m.index} ${String(m.object.kind)}/${String(name)}`;
}

function kindOf(m: Manifest): ModelKind | undefined {
  return KINDS[`${String(m.object.apiVersion)} ${String(m.object.kind)}`];
}

/** Both passes over every manifest; an empty list means all are valid. */
export async function validateManifests(manifests: readonly Manifest[]): Promise<Problem[]> {
  const problems: Problem[] = [];
  const known: { manifest: Manifest; kind: ModelKind }[] = [];
  for (const manifest of manifests) {
    const kind = kindOf(manifest);
    if (kind === undefined) {
      problems.push({
        where: describeManifest(manifest),
        pass: 'kind',
        message: `no schema for apiVersion ${String(manifest.object.apiVersion)}, kind ${String(manifest.object.kind)}`,
      });
      continue;
    }
    known.push({ manifest, kind });
    const models = (await import(kind.module)) as Record<string, new (data: unknown) => { validate(): void }>;
    const Model = models[kind.name];
    if (Model === undefined) throw new Error(`${kind.module} exports no ${kind.name}`);
    try {
      new Model(manifest.object).validate();
    } catch (error) {
      problems.push({ where: describeManifest(manifest), pass: 'schema', message: (error as Error).message });
    }
  }
  problems.push(...strictProblems(known));
  return problems;
}

/**
 * Type-checks `export const m<i>: I<Kind> = <the manifest as JSON>;` for every manifest in one
 * in-memory program, and maps each diagnostic back to its manifest.
 */
function strictProblems(known: readonly { manifest: Manifest; kind: ModelKind }[]): Problem[] {
  if (known.length === 0) return [];
  const fileName = join(ROOT, 'test/deploy/__manifests__.mts');
  const lines: string[] = [];
  const firstLine: number[] = [];
  known.forEach(({ kind }, i) => {
    lines.push(`import type { I${kind.name} as T${i} } from '${kind.module}';`);
  });
  known.forEach(({ manifest }, i) => {
    firstLine.push(lines.length);
    lines.push(...`export const m${i}: T${i} = ${JSON.stringify(manifest.object, null, 2)};`.split('\n'));
  });
  const source = lines.join('\n');

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === fileName ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === fileName ? source : readFile(name));
  const program = ts.createProgram([fileName], options, host);
  const sourceFile = program.getSourceFile(fileName);
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getSyntacticDiagnostics(sourceFile),
    ...program.getSemanticDiagnostics(sourceFile),
  ];

  return diagnostics.map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (diagnostic.file === undefined || diagnostic.start === undefined)
      return { where: 'deploy/', pass: 'strict', message };
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const owner = firstLine.findLastIndex((first) => first <= line);
    const entry = known[owner];
    const where = entry ? describeManifest(entry.manifest) : 'deploy/';
    return { where, pass: 'strict', message: `${message} (at: ${lines[line]?.trim() ?? '?'})` };
  });
}

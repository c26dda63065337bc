/**
 * deploy/ as CI sees it, offline: every manifest validates against the Kubernetes schemas with
 * unknown fields refused, broken copies fail (the validator is not a rubber stamp), and the
 * manifests agree with the application they deploy: probe paths and ports, the environment
 * variables config.ts reads, and a grace period longer than the shutdown budget.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { ENVIRONMENT_VARIABLES, loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log/logger.ts';
import { HEALTH_PATH, READY_PATH } from '../../src/server/httpHandler.ts';
import { CLOSE_MARGIN_MS, shutdownBudgetMs } from '../../src/server/shutdown.ts';
import { startGateway } from '../../src/server/startGateway.ts';
import { loadManifests, type Manifest, validateManifests, yamlFiles } from './manifestValidator.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const DEPLOY = join(ROOT, 'deploy');

// biome-ignore lint/suspicious/noExplicitAny: manifests are plain parsed YAML, navigated freely below
type Json = any;

const { manifests, problems: yamlProblems } = loadManifests(DEPLOY);
function only(kind: string): Json {
  const found = manifests.filter((m) => m.object.kind === kind);
  expect(found).toHaveLength(1);
  return (found[0] as Manifest).object;
}
const deployment = only('Deployment');
const configMap = only('ConfigMap');
const secret = only('Secret');
const pod = deployment.spec.template;
const container = pod.spec.containers[0];

/** What a pod's environment holds: the ConfigMap and the Secret (example values). */
const podEnv: Record<string, string> = { ...configMap.data, ...secret.stringData };

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A copy of deploy/ with one file's text edited. */
function brokenCopy(file: string, from: string, to: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-broken-'));
  scratch.push(dir);
  cpSync(DEPLOY, dir, { recursive: true });
  const text = readFileSync(join(dir, file), 'utf8');
  expect(text).toContain(from);
  writeFileSync(join(dir, file), text.replace(from, to));
  return dir;
}

describe('deploy/ validates offline against the Kubernetes schemas', () => {
  test('every manifest is valid, unknown fields refused, and each kind the issue asks for is there', async () => {
    expect(yamlProblems).toEqual([]);
    expect(await validateManifests(manifests)).toEqual([]);
    expect(manifests.map((m) => `${m.object.apiVersion} ${m.object.kind}`).sort()).toEqual([
      'apps/v1 Deployment',
      'autoscaling/v2 HorizontalPodAutoscaler',
      'monitoring.coreos.com/v1 ServiceMonitor',
      'policy/v1 PodDisruptionBudget',
      'v1 ConfigMap',
      'v1 Secret',
      'v1 Service',
    ]);
  });

  test.each([
    [
      'an unknown field (a misspelt readOnlyRootFilesystem, which a lenient check lets through)',
      'deployment.yaml',
      'readOnlyRootFilesystem: true',
      'readOnlyRootFileSystem: true',
      ['strict'],
      /'"readOnlyRootFileSystem"' does not exist in type 'ISecurityContext'/,
    ],
    [
      'a wrong type (a port number as a string)',
      'deployment.yaml',
      'containerPort: 4000',
      'containerPort: "4000"',
      ['schema', 'strict'],
      /containerPort must be integer/,
    ],
    [
      'a missing required field (the Deployment selector)',
      'deployment.yaml',
      '  selector:\n    matchLabels:\n      app.kubernetes.io/name: referrals-gateway\n  strategy:',
      '  strategy:',
      ['schema', 'strict'],
      /spec must have required property selector/,
    ],
    [
      'a wrong type in the HorizontalPodAutoscaler',
      'hpa.yaml',
      'minReplicas: 3',
      'minReplicas: three',
      ['schema', 'strict'],
      /minReplicas must be integer/,
    ],
    [
      'an unknown field in the ServiceMonitor (a CRD)',
      'optional/servicemonitor.yaml',
      'path: /metrics',
      'paht: /metrics',
      ['strict'],
      /'"paht"' does not exist/,
    ],
    [
      'an unknown apiVersion',
      'pdb.yaml',
      'apiVersion: policy/v1',
      'apiVersion: policy/v1beta2',
      ['kind'],
      /no schema/,
    ],
  ])('a broken copy fails: %s', async (_label, file, from, to, passes, message) => {
    const dir = brokenCopy(file, from, to);
    const broken = loadManifests(dir);
    expect(broken.problems).toEqual([]);
    const problems = await validateManifests(broken.manifests);
    expect([...new Set(problems.map((p) => p.pass))].sort()).toEqual(passes);
    expect(problems.map((p) => p.message).join('\n')).toMatch(message);
    // Every problem is in the edited file.
    for (const problem of problems) expect(problem.where).toContain(`/${file}#0 `);
  });

  test('npm run deploy:check passes on deploy/ and fails on a broken copy (exit 1, naming the field)', () => {
    const ok = spawnSync(process.execPath, ['test/deploy/check.ts'], { cwd: ROOT, encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/7 manifests checked \(schema and unknown fields\), 0 problems/);
    const dir = brokenCopy('service.yaml', 'targetPort: graphql', 'targetport: graphql');
    const bad = spawnSync(process.execPath, ['test/deploy/check.ts', dir], { cwd: ROOT, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/FAIL .*service\.yaml#0 Service\/referrals-gateway \[strict\] .*"targetport"/);
  });
});

describe('deploy/ agrees with the application', () => {
  const ports = Object.fromEntries(
    container.ports.map((p: Json) => [p.name, p.containerPort] as const),
  ) as Record<string, number>;
  const config = loadConfig(podEnv);

  test('probes: liveness and startup on /health, readiness on /ready, on the GraphQL port the server listens on', () => {
    expect(container.livenessProbe.httpGet).toEqual({ path: HEALTH_PATH, port: 'graphql' });
    expect(container.startupProbe.httpGet).toEqual({ path: HEALTH_PATH, port: 'graphql' });
    expect(container.readinessProbe.httpGet).toEqual({ path: READY_PATH, port: 'graphql' });
    expect(ports.graphql).toBe(config.port);
    // METRICS_PORT: the contract's default, and the scrape annotations point at it.
    expect(ports.metrics).toBe(Number(podEnv.METRICS_PORT ?? 9464));
    expect(ports.metrics).toBe(9464);
    expect(pod.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(ports.metrics),
      'prometheus.io/path': '/metrics',
    });
  });

  test('the probe paths answer on a gateway started with the manifests’ configuration', async () => {
    // The pod's settings, on loopback ports; no tracing or Redis endpoint (those hosts exist
    // only in a cluster), and no upstream call is made.
    const env = Object.fromEntries(
      Object.entries(podEnv).filter(([name]) => !name.startsWith('OTEL_') && name !== 'REDIS_URL'),
    );
    const gatewayConfig = loadConfig({
      ...env,
      PORT: '0',
      METRICS_PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    });
    const gateway = await startGateway({
      config: gatewayConfig,
      partnerApiUrl: String(gatewayConfig.partnerApiUrl),
      logger: createLogger('silent'),
    });
    try {
      const origin = new URL(gateway.url).origin;
      const get = async (path: string) => (await fetch(`${origin}${path}`)).status;
      expect(await get(container.livenessProbe.httpGet.path)).toBe(200);
      expect(await get(container.readinessProbe.httpGet.path)).toBe(200);
      gateway.stopTakingTraffic();
      expect(await get(container.readinessProbe.httpGet.path)).toBe(503);
      expect(await get(container.livenessProbe.httpGet.path)).toBe(200);
    } finally {
      await gateway.stop();
    }
  });

  test('every environment variable the manifests set is one config.ts reads, and README documents it', () => {
    const explicit = (container.env ?? []).map((e: Json) => e.name as string);
    const names = [...Object.keys(configMap.data), ...Object.keys(secret.stringData), ...explicit];
    const unread = names.filter((name) => !ENVIRONMENT_VARIABLES.includes(name));
    expect(unread).toEqual([]);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const configuration = readme.slice(readme.indexOf('\n## Configuration\n'));
    const table = configuration.slice(0, configuration.indexOf('\n## ', 1));
    const undocumented = names.filter(
      (name) => ENVIRONMENT_VARIABLES.includes(name) && !table.includes(`\`${name}\``),
    );
    expect(undocumented).toEqual([]);
    // envFrom names the ConfigMap and the Secret defined here.
    expect(container.envFrom).toEqual([
      { configMapRef: { name: configMap.metadata.name } },
      { secretRef: { name: secret.metadata.name } },
    ]);
    // The example Secret's placeholders still pass config.ts (CURSOR_SECRET's length rule).
    expect(config.cursorSecret).toBe(secret.stringData.CURSOR_SECRET);
  });

  test('terminationGracePeriodSeconds covers the shutdown budget (delay + drain + closing), preStop included', () => {
    expect(config.tracing).toBeDefined();
    const preStopMs = (container.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000;
    const graceMs = pod.spec.terminationGracePeriodSeconds * 1000;
    const budget = shutdownBudgetMs(config.shutdown);
    expect(config.shutdown).toEqual({ delayMs: 5_000, drainTimeoutMs: 16_000 });
    expect(preStopMs + budget).toBeLessThan(graceMs);
    expect({ graceMs, preStopMs, budget }).toEqual({ graceMs: 30_000, preStopMs: 0, budget: 26_000 });
    // The slowest closer, the last span export, fits the closing step.
    expect(config.tracing?.exportTimeoutMs).toBeLessThan(CLOSE_MARGIN_MS);
  });

  test('the pieces point at each other: selectors, scale target, disruption budget, scrape target', () => {
    const labels = pod.metadata.labels;
    const service = only('Service');
    const hpa = only('HorizontalPodAutoscaler');
    const pdb = only('PodDisruptionBudget');
    const monitor = only('ServiceMonitor');
    expect(labels).toMatchObject(deployment.spec.selector.matchLabels);
    expect(labels).toMatchObject(service.spec.selector);
    expect(labels).toMatchObject(pdb.spec.selector.matchLabels);
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    for (const port of service.spec.ports) expect(Object.keys(ports)).toContain(port.targetPort);
    expect(service.spec.ports.map((p: Json) => p.name)).toContain(monitor.spec.endpoints[0].port);
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: deployment.apiVersion,
      kind: deployment.kind,
      name: deployment.metadata.name,
    });
    expect(deployment.spec.replicas).toBe(3);
    expect(hpa.spec.minReplicas).toBe(deployment.spec.replicas);
    // A voluntary disruption never takes more than one of the minimum three.
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
  });

  test('non-root, read-only container: the pod security settings, and a Dockerfile that matches them', () => {
    expect(pod.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits).toBeDefined();
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    // Numeric, so the kubelet can verify runAsNonRoot without runAsUser too.
    expect(dockerfile).toMatch(new RegExp(`^USER ${pod.spec.securityContext.runAsUser}:`, 'm'));
    expect(dockerfile).toMatch(/^EXPOSE 4000 9464$/m);
  });

  test('the Docker image starts Node with the flags of `npm start` (the ones the bench measures)', () => {
    const start = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
    ).scripts.start;
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
    expect(cmd).toBeDefined();
    expect((JSON.parse(cmd as string) as string[]).join(' ')).toBe(start);
    expect(start).toContain('--no-memory-reducer');
  });

  test('kustomization.yaml lists every manifest but the example Secret and the optional CRD', () => {
    const kustomization = parse(readFileSync(join(DEPLOY, 'kustomization.yaml'), 'utf8'));
    expect(kustomization).toMatchObject({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
    });
    const files = yamlFiles(DEPLOY)
      .map((path) => path.slice(DEPLOY.length + 1))
      .filter(
        (file) =>
          !['kustomization.yaml', 'secret.example.yaml'].includes(file) && !file.startsWith('optional/'),
      );
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(kustomization.images).toEqual([expect.objectContaining({ name: container.image })]);
  });
});

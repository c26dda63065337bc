/**
 * `npm run deploy:check [dir]`: validates the Kubernetes manifests in deploy/ (or `dir`) offline,
 * against the Kubernetes schemas and refusing unknown fields (manifestValidator.ts). Exits 1 on
 * any problem.
 */
import { describeManifest, loadManifests, validateManifests } from './manifestValidator.ts';

const dir = process.argv[2] ?? new URL('../../deploy', import.meta.url).pathname;
const { manifests, problems } = loadManifests(dir);
problems.push(...(await validateManifests(manifests)));

const failing = new Set(problems.map((p) => p.where));
for (const manifest of manifests) {
  const where = describeManifest(manifest);
  if (!failing.has(where)) process.stdout.write(`ok    ${where}\n`);
}
for (const problem of problems)
  process.stdout.write(`FAIL  ${problem.where} [${problem.pass}] ${problem.message}\n`);
process.stdout.write(
  `${manifests.length} manifests checked (schema and unknown fields), ${problems.length} problems\n`,
);
process.exitCode = problems.length === 0 ? 0 : 1;

/**
 * `npm run compose`: composes the supergraph, prints composition hints, writes the supergraph SDL
 * (default `supergraph.graphql`, or the path given as the first argument) and exits 1 on any
 * composition error.
 */
import { writeFileSync } from 'node:fs';
import { composeSupergraph } from './composeSupergraph.ts';

const out = process.argv[2] ?? 'supergraph.graphql';
const result = composeSupergraph({
  referrals: process.env.REFERRALS_SUBGRAPH_URL ?? 'http://localhost:4000/graphql',
  accounts: process.env.ACCOUNTS_SUBGRAPH_URL ?? 'http://localhost:4001/graphql',
});

for (const hint of result.hints) console.log(`hint: ${hint}`);
if (!result.ok) {
  for (const error of result.errors) console.error(`error: ${error}`);
  console.error(`composition failed with ${result.errors.length} error(s)`);
  process.exit(1);
}
writeFileSync(out, result.supergraphSdl);
console.log(
  `composed referrals + accounts: ${result.hints.length} hint(s), 0 errors; supergraph written to ${out}`,
);

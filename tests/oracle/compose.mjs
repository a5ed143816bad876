// Compose each case's subgraph SDL files into supergraph.graphql with @apollo/composition.
// Usage: node compose.mjs CASE_DIR [CASE_DIR ...]
// Every *.graphql file in a case directory except supergraph.graphql is one subgraph,
// named after the file. Exits 1 (printing every error) when any case fails to compose.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, basename } from "node:path";
import { parse } from "graphql";
import { composeServices } from "@apollo/composition";

let failed = false;
for (const dir of process.argv.slice(2)) {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".graphql") && f !== "supergraph.graphql")
    .sort();
  const services = files.map((f) => {
    const name = basename(f, ".graphql");
    return {
      name,
      url: `http://${name}.subgraph.invalid/graphql`,
      typeDefs: parse(readFileSync(join(dir, f), "utf8")),
    };
  });
  const result = composeServices(services);
  if (result.errors) {
    failed = true;
    console.error(`${dir}: composition failed`);
    for (const e of result.errors) console.error(`  ${e.extensions?.code ?? ""} ${e.message}`);
    continue;
  }
  writeFileSync(join(dir, "supergraph.graphql"), result.supergraphSdl.trimEnd() + "\n");
  const hints = (result.hints ?? []).map((h) => h.definition?.code ?? "HINT");
  console.log(`${dir}: composed ${services.length} subgraphs${hints.length ? ` (hints: ${[...new Set(hints)].join(", ")})` : ""}`);
}
process.exit(failed ? 1 : 0);

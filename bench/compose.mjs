// Composes bench/subgraphs/sdl/*.graphql into bench/supergraph.graphql with Apollo's
// own composition, so every gateway in the benchmark reads the same reference supergraph.
// The URLs are placeholders: bench/run rewrites them to the ports it starts the subgraphs on.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

const here = dirname(fileURLToPath(import.meta.url));
const names = ["accounts", "inventory", "products", "reviews"];
const services = names.map((name, i) => ({
  name,
  url: `http://127.0.0.1:${4001 + i}/graphql`,
  typeDefs: parse(readFileSync(join(here, "subgraphs", "sdl", `${name}.graphql`), "utf8")),
}));
const result = composeServices(services);
if (result.errors) {
  for (const error of result.errors) console.error(error.message);
  process.exit(1);
}
writeFileSync(join(here, "supergraph.graphql"), result.supergraphSdl);
console.log(`wrote supergraph.graphql (${result.hints?.length ?? 0} hints)`);

// Composes many subgraph sets with @apollo/composition, in one node process.
// Usage: node compose_many.mjs < input.json > output.json
// Input: {setName: {subgraphName: sdl, ...}, ...}; each subgraph's URL is
// http://<subgraphName>.local/graphql, as in tests/composition/record.mjs.
// Output: {setName: {"supergraph": sdl} | {"errors": [{code, message}, ...]}}.
import { readFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

function compose(subgraphs) {
  const services = [];
  const errors = [];
  for (const name of Object.keys(subgraphs).sort()) {
    try {
      services.push({ name, url: `http://${name}.local/graphql`, typeDefs: parse(subgraphs[name]) });
    } catch (e) {
      errors.push({ code: "INVALID_GRAPHQL", message: `[${name}] ${e.message}` });
    }
  }
  if (errors.length) return { errors };
  const result = composeServices(services);
  if (result.errors) {
    return {
      errors: result.errors.map((e) => ({ code: e.extensions?.code ?? null, message: e.message })),
    };
  }
  return { supergraph: result.supergraphSdl };
}

const input = JSON.parse(readFileSync(0, "utf8"));
const output = {};
for (const [name, subgraphs] of Object.entries(input)) output[name] = compose(subgraphs);
process.stdout.write(JSON.stringify(output) + "\n");

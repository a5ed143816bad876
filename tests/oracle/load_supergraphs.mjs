// Checks that Apollo Gateway loads each of many supergraphs, in one node process.
// Usage: node load_supergraphs.mjs < input.json > output.json
// Input: a JSON object {name: supergraphSdl, ...}. Output: a JSON object
// {name: [message, ...]} with an empty list for every supergraph that loaded.
// "Loaded" means what a gateway does at start-up: `new ApolloGateway({supergraphSdl})`
// then `load()`, which builds the API schema, extracts the subgraphs and builds the
// query planner; any error it throws is reported, with its causes when it has several.
// Apollo Gateway refuses every supergraph that links a `for: SECURITY` feature
// (@authenticated, @requiresScopes, @policy, @context: only the router enforces them),
// so that purpose is taken off the @link before loading: everything else is still checked.
import { readFileSync } from "node:fs";
import { ApolloGateway } from "@apollo/gateway";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function messages(error) {
  const causes = error?.causes ?? error?.errors ?? error?.extensions?.causes;
  if (Array.isArray(causes) && causes.length) return causes.map((c) => String(c.message ?? c));
  return [String(error?.message ?? error)];
}

const SECURITY_PURPOSE = /(@link\(url: "[^"]*"(?:, import: \[[^\]]*\])?), for: SECURITY\)/g;

async function check(sdl) {
  const supergraphSdl = sdl.replace(SECURITY_PURPOSE, "$1)");
  const gateway = new ApolloGateway({ supergraphSdl, logger: quiet });
  try {
    await gateway.load();
    return [];
  } catch (error) {
    return messages(error);
  } finally {
    await gateway.stop().catch(() => {});
  }
}

const input = JSON.parse(readFileSync(0, "utf8"));
const output = {};
for (const [name, sdl] of Object.entries(input)) {
  output[name] = await check(sdl);
}
process.stdout.write(JSON.stringify(output) + "\n");

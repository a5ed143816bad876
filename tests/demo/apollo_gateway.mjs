// Apollo Gateway over a supergraph, with per-subgraph URL overrides; prints its URL.
// Usage: node apollo_gateway.mjs SUPERGRAPH_FILE '{"name": "http://..."}'
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../oracle/package.json"));
const { ApolloGateway, RemoteGraphQLDataSource } = require("@apollo/gateway");
const { ApolloServer } = require("@apollo/server");
const { startStandaloneServer } = require("@apollo/server/standalone");

const [supergraphFile, overridesJson] = process.argv.slice(2);
const overrides = JSON.parse(overridesJson || "{}");
const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(supergraphFile, "utf8"),
  buildService: ({ name, url }) => new RemoteGraphQLDataSource({ url: overrides[name] || url }),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { port: 0, host: "127.0.0.1" } });
console.log(url);

// Serve @apollo/gateway + @apollo/server over a supergraph file, with subgraph URL overrides.
// Usage: node gateway.mjs --supergraph FILE [--port N] [--url NAME=URL ...]
// Prints the gateway's URL (http://127.0.0.1:PORT/) as its first stdout line once ready;
// port 0 (the default) picks a free port. Stops on SIGTERM/SIGINT or when stdin closes.
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";

const args = process.argv.slice(2);
let supergraph;
let port = 0;
const urls = {};
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--supergraph") supergraph = args[++i];
  else if (a === "--port") port = Number(args[++i]);
  else if (a === "--url") {
    const [name, ...rest] = args[++i].split("=");
    urls[name] = rest.join("=");
  } else {
    console.error(`unknown argument ${a}`);
    process.exit(2);
  }
}
if (!supergraph) {
  console.error("--supergraph FILE is required");
  process.exit(2);
}

const quiet = { debug() {}, info() {}, warn() {}, error: (m) => console.error(m) };
const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(supergraph, "utf8"),
  logger: quiet,
  buildService: ({ name, url }) => new RemoteGraphQLDataSource({ url: urls[name] ?? url }),
});
const server = new ApolloServer({
  gateway,
  logger: quiet,
  includeStacktraceInErrorResponses: false,
  csrfPrevention: false,
});
const { url } = await startStandaloneServer(server, { listen: { host: "127.0.0.1", port } });
console.log(url);

const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.resume();

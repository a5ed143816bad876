// Serve Hive Gateway (@graphql-hive/gateway) over a supergraph file, with subgraph URL overrides:
// the second oracle, for behaviours where Apollo Gateway is known to be wrong.
// Usage: node hive_gateway.mjs --supergraph FILE [--port N] [--url NAME=URL ...]
// Prints the gateway's URL (http://127.0.0.1:PORT/graphql) as its first stdout line once
// ready; port 0 (the default) picks a free port. Stops on SIGTERM/SIGINT or when stdin closes.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createGatewayRuntime } from "@graphql-hive/gateway";

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

// join__Graph enum values carry each subgraph's name and URL: point them at the overrides
export function withUrls(sdl, overrides) {
  return sdl.replace(
    /@join__graph\(name: "([^"]*)", url: "([^"]*)"\)/g,
    (whole, name, url) => `@join__graph(name: "${name}", url: "${overrides[name] ?? url}")`,
  );
}

const gateway = createGatewayRuntime({
  supergraph: withUrls(readFileSync(supergraph, "utf8"), urls),
  logging: false,
  graphqlEndpoint: "/graphql",
  landingPage: false,
  maskedErrors: false,
});
const server = createServer(gateway);
server.listen(port, "127.0.0.1", () => {
  console.log(`http://127.0.0.1:${server.address().port}/graphql`);
});

const stop = async () => {
  server.close();
  await gateway.dispose();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.resume();

// The reference side of the random differential tester, one long-lived process per run:
// @apollo/composition composes, Apollo Gateway and Hive Gateway answer, both in-process
// (no HTTP server per gateway, so hundreds of subgraph sets cost one node start-up).
// Protocol: one JSON request per stdin line, one JSON answer per stdout line, in order.
//   {"cmd": "compose", "subgraphs": [{"name", "url", "sdl"}]}
//     -> {"ok": true, "supergraph": SDL} | {"ok": false, "errors": ["CODE message", ...]}
//   {"cmd": "run", "supergraph": SDL, "operations": [{"query", "variables"}]}
//     -> {"apollo": [response, ...], "hive": [response, ...]}  (a response is the JSON body;
//        a gateway that fails to start answers {"startError": message} for every operation)
import { setMaxListeners } from "node:events";
import { createInterface } from "node:readline";
import { parse } from "graphql";
import { composeServices } from "@apollo/composition";
import { ApolloServer } from "@apollo/server";
import { ApolloGateway } from "@apollo/gateway";
import { createGatewayRuntime } from "@graphql-hive/gateway";

// many operations run at once, each with its own abort listener
setMaxListeners(0);

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function compose(subgraphs) {
  const services = subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) }));
  const result = composeServices(services);
  if (result.errors) {
    return { ok: false, errors: result.errors.map((e) => `${e.extensions?.code ?? ""} ${e.message}`) };
  }
  return { ok: true, supergraph: result.supergraphSdl };
}

async function runApollo(supergraph, operations) {
  let server;
  try {
    server = new ApolloServer({
      gateway: new ApolloGateway({ supergraphSdl: supergraph, logger: quiet }),
      logger: quiet,
      includeStacktraceInErrorResponses: false,
    });
    await server.start();
  } catch (error) {
    return operations.map(() => ({ startError: String(error?.message ?? error) }));
  }
  try {
    return await Promise.all(
      operations.map(async (op) => {
        const response = await server.executeOperation({ query: op.query, variables: op.variables });
        return response.body.kind === "single" ? response.body.singleResult : { incremental: true };
      }),
    );
  } finally {
    await server.stop();
  }
}

async function runHive(supergraph, operations) {
  let gateway;
  try {
    gateway = createGatewayRuntime({ supergraph, logging: false, maskedErrors: false });
  } catch (error) {
    return operations.map(() => ({ startError: String(error?.message ?? error) }));
  }
  try {
    return await Promise.all(
      operations.map(async (op) => {
        const response = await gateway.fetch("http://gateway.invalid/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify({ query: op.query, variables: op.variables }),
        });
        const text = await response.text();
        try {
          return JSON.parse(text);
        } catch {
          return { startError: `HTTP ${response.status}: ${text.slice(0, 200)}` };
        }
      }),
    );
  } finally {
    await gateway.dispose();
  }
}

async function handle(request) {
  if (request.cmd === "compose") return compose(request.subgraphs);
  if (request.cmd === "run") {
    const [apollo, hive] = await Promise.all([
      runApollo(request.supergraph, request.operations),
      runHive(request.supergraph, request.operations),
    ]);
    return { apollo, hive };
  }
  return { error: `unknown command ${request.cmd}` };
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    answer = await handle(JSON.parse(line));
  } catch (error) {
    answer = { error: String(error?.stack ?? error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}

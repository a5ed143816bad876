// Apollo Gateway (@apollo/gateway + @apollo/server standalone) on one Node process,
// configured as in the public federation benchmark: supergraph from a file, defaults otherwise.
// Usage: node apollo-gateway.mjs SUPERGRAPH_FILE PORT [HOST]
import { readFileSync } from "node:fs";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";

const [supergraphFile, port, host = "127.0.0.1"] = process.argv.slice(2);
const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraphFile, "utf8") });
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { port: Number(port), host } });
console.log(`apollo gateway ready at ${url}`);

// Compose subgraph SDLs (JSON [{name, url, sdl}] on stdin) into a supergraph SDL on stdout,
// with @apollo/composition from tests/oracle/node_modules.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../../tests/oracle/package.json"));
const { composeServices } = require("@apollo/composition");
const { parse } = require("graphql");

const services = JSON.parse(readFileSync(0, "utf8")).map((s) => ({
  name: s.name,
  url: s.url,
  typeDefs: parse(s.sdl),
}));
const result = composeServices(services);
if (result.errors && result.errors.length) {
  for (const error of result.errors) console.error(error.message);
  process.exit(1);
}
process.stdout.write(result.supergraphSdl);

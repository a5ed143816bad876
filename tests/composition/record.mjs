// Records Apollo's composition of one case folder: reads <case>/*.graphql
// (except expected.graphql), writes expected.graphql or expected-errors.json.
// Run through record.py.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

// Resolve the pinned packages from tests/oracle/node_modules.
const require = createRequire(new URL("../oracle/package.json", import.meta.url));
const { composeServices } = require("@apollo/composition");
const { parse } = require("graphql");

const dir = process.argv[2];
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".graphql") && f !== "expected.graphql")
  .sort();
const services = [];
const parseErrors = [];
for (const f of files) {
  const name = f.replace(/\.graphql$/, "");
  const sdl = fs.readFileSync(path.join(dir, f), "utf8");
  try {
    services.push({ name, url: `http://${name}.local/graphql`, typeDefs: parse(sdl) });
  } catch (e) {
    parseErrors.push({ code: "INVALID_GRAPHQL", message: `[${name}] ${e.message}` });
  }
}
for (const out of ["expected.graphql", "expected-errors.json"]) {
  fs.rmSync(path.join(dir, out), { force: true });
}
if (parseErrors.length) {
  fs.writeFileSync(path.join(dir, "expected-errors.json"), JSON.stringify(parseErrors, null, 2) + "\n");
  process.exit(0);
}
const result = composeServices(services);
if (result.errors) {
  const errs = result.errors.map((e) => ({ code: e.extensions?.code ?? null, message: e.message }));
  fs.writeFileSync(path.join(dir, "expected-errors.json"), JSON.stringify(errs, null, 2) + "\n");
} else {
  fs.writeFileSync(path.join(dir, "expected.graphql"), result.supergraphSdl + "\n");
}

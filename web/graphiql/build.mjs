// Builds the GraphiQL bundle the gateway serves from its own origin.
//
// Output (aggregator/server/static/graphiql/): app.<hash>.js, app.<hash>.css,
// one <name>.worker.<hash>.js per Monaco worker, the fonts the CSS uses as
// font.<hash>.<ext> files, a favicon, and manifest.json mapping logical names to files.
// Every file name carries a hash of its bytes so the gateway can serve it
// with a year-long immutable cache. Fonts shipped as data: URLs inside the
// upstream CSS are written out as files so the CSP needs no data: source.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', '..', 'aggregator', 'server', 'static', 'graphiql');

const WORKERS = {
  editor: 'monaco-editor/esm/vs/editor/editor.worker.js',
  json: 'monaco-editor/esm/vs/language/json/json.worker.js',
  graphql: 'monaco-graphql/esm/graphql.worker.js',
};

const common = {
  bundle: true,
  minify: true,
  write: false,
  format: 'esm',
  target: ['chrome120', 'firefox120', 'safari17'],
  legalComments: 'eof',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
};

function hashed(name, ext, bytes) {
  const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  return `${name}.${digest}.${ext}`;
}

const files = new Map();
function emit(name, ext, bytes) {
  const file = hashed(name, ext, bytes);
  files.set(file, bytes);
  return file;
}

async function buildWorker(label, entry) {
  const result = await esbuild.build({ ...common, entryPoints: [entry], outfile: 'worker.js' });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  return emit(`${label}.worker`, 'js', Buffer.from(js.contents));
}

function extractFonts(css) {
  const pattern = /url\((["']?)data:font\/([a-z0-9]+);base64,([A-Za-z0-9+/=]+)\1\)/g;
  return css.replace(pattern, (_match, _quote, type, data) => {
    const ext = type === 'ttf' || type === 'truetype' ? 'ttf' : type;
    const file = emit('font', ext, Buffer.from(data, 'base64'));
    return `url(./${file})`;
  });
}

async function main() {
  const workerFiles = {};
  for (const [label, entry] of Object.entries(WORKERS)) {
    workerFiles[label] = await buildWorker(label, entry);
  }

  const result = await esbuild.build({
    ...common,
    entryPoints: [join(here, 'src', 'main.jsx')],
    outdir: 'out',
    entryNames: 'app',
    jsx: 'automatic',
    loader: { '.ttf': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl' },
    define: { ...common.define, __WORKER_FILES__: JSON.stringify(workerFiles) },
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('app.js'));
  const css = result.outputFiles.find((f) => f.path.endsWith('app.css'));
  const appJs = emit('app', 'js', Buffer.from(js.contents));
  const appCss = emit('app', 'css', Buffer.from(extractFonts(Buffer.from(css.contents).toString('utf8'))));

  const favicon = emit('favicon', 'svg', readFileSync(join(here, 'src', 'favicon.svg')));

  const manifest = {
    'app.js': appJs,
    'app.css': appCss,
    'favicon.svg': favicon,
    workers: workerFiles,
    files: [...files.keys()].sort(),
  };
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const [file, bytes] of files) {
    writeFileSync(join(outDir, file), bytes);
  }
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const total = [...files.values()].reduce((sum, bytes) => sum + bytes.length, 0);
  console.log(`wrote ${files.size} files (${(total / 1024).toFixed(0)} KiB) to ${outDir}`);
  console.log(readdirSync(outDir).join('\n'));
}

await main();

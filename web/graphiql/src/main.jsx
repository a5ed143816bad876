// Entry point of the GraphiQL page served by the gateway. Everything the page
// needs is in this bundle or next to it on the gateway's origin; the page's
// settings come from a JSON block the server renders into the HTML.
import './csp-nonce.js';
import './workers.js';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import './plan-plugin.css';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { HISTORY_PLUGIN } from '@graphiql/plugin-history';
import { queryPlanPlugin } from './plan-plugin.jsx';

function readConfig() {
  const element = document.getElementById('graphiql-config');
  const defaults = { endpoint: '/graphql', planEndpoint: null, examples: [], defaultHeaders: '' };
  if (!element) {
    return defaults;
  }
  return { ...defaults, ...JSON.parse(element.textContent || '{}') };
}

function createFetcher(endpoint) {
  return async function fetcher(params, options) {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        accept: 'application/graphql-response+json, application/json',
        ...(options && options.headers),
        'content-type': 'application/json',
      },
      body: JSON.stringify(params),
      credentials: 'same-origin',
    });
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 500)}` }] };
    }
  };
}

function exampleTabs(examples, headers) {
  return examples.map(([title, query]) => ({
    query: title ? `# ${title}\n${query}` : query,
    headers: headers || null,
  }));
}

const config = readConfig();
const plugins = [HISTORY_PLUGIN, explorerPlugin()];
if (config.planEndpoint) {
  plugins.push(queryPlanPlugin(config.planEndpoint));
}
const tabs = exampleTabs(config.examples, config.defaultHeaders);

createRoot(document.getElementById('graphiql')).render(
  <GraphiQL
    fetcher={createFetcher(config.endpoint)}
    plugins={plugins}
    defaultTabs={tabs.length ? tabs : undefined}
    defaultHeaders={config.defaultHeaders || undefined}
    defaultEditorToolsVisibility={config.defaultHeaders ? 'headers' : false}
    isHeadersEditorEnabled
    shouldPersistHeaders={false}
  />,
);

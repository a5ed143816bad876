// A GraphiQL sidebar plugin that shows the gateway's query plan for the
// operation in the current tab. It asks the gateway (POST planEndpoint with
// {query, operationName}) and prints the returned text: the plan is computed
// by the server, never guessed by the browser.
import { useCallback, useEffect, useState } from 'react';
import { useGraphiQL, useOperationsEditorState } from '@graphiql/react';

function PlanIcon() {
  return (
    <svg viewBox="0 0 24 24" width="1em" height="1em" fill="none" stroke="currentColor"
      strokeWidth="1.5" aria-hidden="true">
      <rect x="9" y="2.5" width="6" height="4" rx="1" />
      <rect x="2.5" y="17.5" width="6" height="4" rx="1" />
      <rect x="15.5" y="17.5" width="6" height="4" rx="1" />
      <path d="M12 6.5v5M5.5 17.5v-3h13v3" />
    </svg>
  );
}

function describeErrors(errors) {
  return errors
    .map((error) => {
      const code = error && error.extensions && error.extensions.code;
      return code ? `${code}: ${error.message}` : String(error && error.message);
    })
    .join('\n');
}

async function fetchPlan(planEndpoint, headers, query, operationName) {
  const response = await fetch(planEndpoint, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, operationName: operationName || null }),
    credentials: 'same-origin',
  });
  let body;
  try {
    body = await response.json();
  } catch {
    return { error: `The gateway answered ${response.status} without a JSON body.` };
  }
  if (body && typeof body.plan === 'string') {
    return { plan: body.plan };
  }
  if (body && Array.isArray(body.errors)) {
    return { error: describeErrors(body.errors) };
  }
  return { error: `Unexpected answer from the gateway (HTTP ${response.status}).` };
}

function parseHeaders(text) {
  if (!text || !text.trim()) {
    return {};
  }
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

function PlanContent({ planEndpoint }) {
  const [query] = useOperationsEditorState();
  const operationName = useGraphiQL((state) => state.operationName);
  const headerEditor = useGraphiQL((state) => state.headerEditor);
  const [state, setState] = useState({ status: 'idle' });

  const refresh = useCallback(async () => {
    if (!query || !query.trim()) {
      setState({ status: 'done', error: 'Write an operation to see its plan.' });
      return;
    }
    setState({ status: 'loading' });
    const headers = parseHeaders(headerEditor ? headerEditor.getValue() : '');
    try {
      const result = await fetchPlan(planEndpoint, headers, query, operationName);
      setState({ status: 'done', ...result });
    } catch (error) {
      setState({ status: 'done', error: `Could not reach the gateway: ${error.message}` });
    }
  }, [planEndpoint, query, operationName, headerEditor]);

  useEffect(() => {
    const timer = setTimeout(refresh, 300);
    return () => clearTimeout(timer);
  }, [refresh]);

  return (
    <section className="aggregator-plan" aria-label="Query plan">
      <div className="graphiql-doc-explorer-title">Query plan</div>
      <p className="aggregator-plan-hint">
        How the gateway splits the current operation into subgraph fetches.
      </p>
      <button type="button" className="graphiql-button aggregator-plan-refresh" onClick={refresh}>
        Refresh plan
      </button>
      {state.status === 'loading' ? <p className="aggregator-plan-status">Planning…</p> : null}
      {state.error ? (
        <pre className="aggregator-plan-error" role="alert">{state.error}</pre>
      ) : null}
      {state.plan ? (
        <pre className="aggregator-plan-text" data-testid="query-plan">{state.plan}</pre>
      ) : null}
    </section>
  );
}

export function queryPlanPlugin(planEndpoint) {
  return {
    title: 'Query plan',
    icon: PlanIcon,
    content: function QueryPlanContent() {
      return <PlanContent planEndpoint={planEndpoint} />;
    },
  };
}

"""GraphiQL in a real browser: it loads only from the gateway, runs operations, shows plans."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, ConsoleMessage, Page, Request, Response

from aggregator.server.graphiql import GraphiQLOptions, manifest
from tests.browser.graphiql_harness import make_app
from tests.support.servers import serve_asgi

RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI} (${where})`);
});
"""


class PageLog:
    """Everything the page did on the network and in its console."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.bad_responses: list[str] = []
        self.finished: list[str] = []

    def attach(self, context: BrowserContext, page: Page) -> None:
        context.on("request", self._request)
        context.on("requestfailed", lambda request: self.failed.append(request.url))
        context.on("response", self._response)
        context.on("requestfinished", lambda request: self.finished.append(request.url))
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.bad_responses.append(f"{response.status} {response.url}")

    def _console(self, message: ConsoleMessage) -> None:
        # failed HTTP responses are logged by the browser too; they are
        # checked through bad_responses, where the status is known
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)


async def open_graphiql(context: BrowserContext, base_url: str) -> tuple[Page, PageLog]:
    await context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.pages[0] if context.pages else await context.new_page()
    log = PageLog()
    log.attach(context, page)
    await page.goto(f"{base_url}/graphql")
    await page.wait_for_selector(".graphiql-execute-button", timeout=60_000)
    return page, log


async def settle(page: Page, log: PageLog) -> None:
    """Wait until all three Monaco workers have loaded, then close the page.

    Closing while the server is still up keeps a half-loaded worker from
    reporting an error after the test's server has gone.
    """
    workers = {f"/graphiql/{name}" for name in manifest()["workers"].values()}
    for _ in range(300):
        if workers <= {urlsplit(url).path for url in log.finished}:
            break
        await asyncio.sleep(0.1)
    await page.close()


async def test_graphiql_runs_the_example_and_loads_nothing_from_other_hosts(
    browser_context: BrowserContext, artifacts_dir: Path
) -> None:
    async with serve_asgi(make_app()) as base_url:
        page, log = await open_graphiql(browser_context, base_url)

        tabs = await page.locator(".graphiql-tab").all_inner_texts()
        assert [tab.strip() for tab in tabs] == ["Agencies", "WhoAmI"]

        await page.click(".graphiql-execute-button")
        response = page.locator(".graphiql-response")
        await response.get_by_text('"Registry of Births"').wait_for(timeout=30_000)
        # Monaco renders spaces as non-breaking spaces
        text = (await response.inner_text()).replace("\xa0", " ")
        assert '"Tax Office"' in text
        # the Authorization header came from the headers editor's default
        assert '"Bearer demo-token"' in text

        await page.click("button[aria-label='Show Query plan']")
        plan = page.get_by_test_id("query-plan")
        await plan.wait_for(timeout=30_000)
        plan_text = (await plan.inner_text()).replace("\xa0", " ")
        assert plan_text.startswith("QueryPlan {")
        assert 'operation: "Agencies"' in plan_text

        await page.click("button[aria-label='Show Documentation Explorer']")
        docs = page.locator(".graphiql-doc-explorer")
        await docs.get_by_text("Query", exact=True).first.wait_for(timeout=30_000)

        await page.click("button[aria-label='Show GraphiQL Explorer']")
        await page.locator(".graphiql-plugin").get_by_text("agencies").first.wait_for(
            timeout=30_000
        )

        await page.click("button[aria-label='Show History']")
        await page.locator(".graphiql-history").get_by_text("Agencies").first.wait_for(
            timeout=30_000
        )

        await page.click("button[aria-label='Show Query plan']")
        await plan.wait_for(timeout=30_000)
        await page.screenshot(path=str(artifacts_dir / "graphiql.png"))

        violations = await page.evaluate("window.__cspViolations")
        await settle(page, log)

    origin = urlsplit(base_url)
    foreign = [url for url in log.requests if urlsplit(url)[:2] != origin[:2]]
    assert log.requests, "the browser made no request at all"
    assert foreign == []
    assert log.failed == []
    assert log.bad_responses == []
    assert violations == []
    assert log.errors == []
    files = manifest()
    loaded = {urlsplit(url).path for url in log.requests}
    # the Monaco workers came from the gateway too
    for worker in files["workers"].values():
        assert f"/graphiql/{worker}" in loaded
    assert f"/graphiql/{files['app.js']}" in loaded
    assert f"/graphiql/{files['app.css']}" in loaded


async def test_plan_panel_shows_why_an_operation_cannot_be_planned(
    browser_context: BrowserContext,
) -> None:
    async with serve_asgi(make_app()) as base_url:
        page, log = await open_graphiql(browser_context, base_url)
        await page.click("button[aria-label='Show Query plan']")
        await page.get_by_test_id("query-plan").wait_for(timeout=30_000)

        # replace the operation with one the schema rejects
        await page.click(".graphiql-query-editor .view-lines")
        await page.keyboard.press("Control+A")
        await page.keyboard.press("Delete")
        await page.keyboard.type("{ nope }")
        alert = page.locator(".aggregator-plan-error")
        await alert.wait_for(timeout=30_000)
        message = (await alert.inner_text()).replace("\xa0", " ")
        assert message.startswith("GRAPHQL_VALIDATION_FAILED:")
        assert "nope" in message
        assert await page.get_by_test_id("query-plan").count() == 0
        await settle(page, log)
    assert log.errors == []
    assert all(entry.startswith("400 ") for entry in log.bad_responses)


async def test_no_plan_panel_unless_plans_are_exposed(browser_context: BrowserContext) -> None:
    async with serve_asgi(make_app(GraphiQLOptions())) as base_url:
        page, log = await open_graphiql(browser_context, base_url)
        await page.locator("button[aria-label='Show History']").wait_for(timeout=30_000)
        labels = await page.locator(".graphiql-sidebar button").evaluate_all(
            "buttons => buttons.map((button) => button.getAttribute('aria-label'))"
        )
        await settle(page, log)
    assert "Show Documentation Explorer" in labels
    assert "Show GraphiQL Explorer" in labels
    assert "Show Query plan" not in labels
    assert log.errors == []


async def test_production_mode_serves_no_ide(browser_context: BrowserContext) -> None:
    async with serve_asgi(make_app(production=True)) as base_url:
        page = await browser_context.new_page()
        response = await page.goto(f"{base_url}/graphql")
        assert response is not None
        assert response.status == 404
        body = await page.inner_text("body")
        assert "GraphiQL is disabled" in body
        assert await page.locator("script").count() == 0
        # the API itself still answers
        result = await page.request.post(
            f"{base_url}/graphql", data=json.dumps({"query": "{ whoami }"}),
            headers={"content-type": "application/json"},
        )
        assert await result.json() == {"data": {"whoami": "anonymous"}}

"""GraphiQL in a real browser against the real gateway.

It loads only from the gateway, runs the preloaded example over four
subgraphs, sends the Authorization header typed into the headers editor,
and shows the gateway's query plan.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, ConsoleMessage, Page, Request, Response

from aggregator.server.graphiql import manifest
from tests.browser.shop_gateway import serve_shop, shop_options

RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI} (${where})`);
});
"""


class PageLog:
    """Everything the page and its workers did on the network and in the console."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.finished: list[str] = []
        self.failed: list[str] = []
        self.bad_responses: list[str] = []
        self.errors: list[str] = []

    def attach(self, context: BrowserContext, page: Page) -> None:
        context.on("request", self._request)
        context.on("requestfinished", lambda request: self.finished.append(request.url))
        context.on("requestfailed", lambda request: self.failed.append(request.url))
        context.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def _request(self, request: Request) -> None:
        # a bound list.append is not accepted by Playwright's event mapping
        self.requests.append(request)

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.bad_responses.append(f"{response.status} {response.url}")

    def _console(self, message: ConsoleMessage) -> None:
        # failed HTTP responses are logged by the browser too; they are
        # checked through bad_responses, where the status is known
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def urls(self) -> list[str]:
        return [request.url for request in self.requests]


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


def monaco_text(text: str) -> str:
    """Monaco renders spaces as non-breaking spaces."""
    return text.replace("\xa0", " ")


async def test_graphiql_runs_the_example_and_loads_nothing_from_other_hosts(
    browser_context: BrowserContext, artifacts_dir: Path
) -> None:
    async with serve_shop() as base_url:
        page, log = await open_graphiql(browser_context, base_url)

        tabs = await page.locator(".graphiql-tab").all_inner_texts()
        assert [tab.strip() for tab in tabs] == ["TopProducts", "Me"]

        # a token typed into the headers editor goes out with the operation
        await page.get_by_role("button", name="Headers").click()
        await page.click(".graphiql-editor-tool .view-lines >> visible=true")
        await page.keyboard.insert_text('{"Authorization": "Bearer demo-token"}')

        await page.click(".graphiql-execute-button")
        response = page.locator(".graphiql-response")
        await response.get_by_text('"Ada Lovelace"').first.wait_for(timeout=30_000)
        text = monaco_text(await response.inner_text())
        assert '"name": "Table"' in text
        assert '"inStock": true' in text
        assert '"body": "Love it!"' in text

        await page.click("button[aria-label='Show Query plan']")
        plan = page.get_by_test_id("query-plan")
        await plan.wait_for(timeout=30_000)
        plan_text = monaco_text(await plan.inner_text())
        assert plan_text.startswith("QueryPlan {")
        for service in ("products", "inventory", "reviews", "accounts"):
            assert f'Fetch(service: "{service}")' in plan_text

        await page.click("button[aria-label='Show Documentation Explorer']")
        docs = page.locator(".graphiql-doc-explorer")
        await docs.get_by_text("Query", exact=True).first.wait_for(timeout=30_000)

        await page.click("button[aria-label='Show GraphiQL Explorer']")
        await (
            page.locator(".graphiql-plugin")
            .get_by_text("topProducts")
            .first.wait_for(timeout=30_000)
        )

        await page.click("button[aria-label='Show History']")
        await (
            page.locator(".graphiql-history")
            .get_by_text("TopProducts")
            .first.wait_for(timeout=30_000)
        )

        await page.click("button[aria-label='Show Query plan']")
        await plan.wait_for(timeout=30_000)
        await page.screenshot(path=str(artifacts_dir / "graphiql.png"))
        violations = await page.evaluate("window.__cspViolations")
        await settle(page, log)

    origin = urlsplit(base_url)
    assert log.requests, "the browser made no request at all"
    assert [url for url in log.urls() if urlsplit(url)[:2] != origin[:2]] == []
    assert log.failed == []
    assert log.bad_responses == []
    assert violations == []
    assert log.errors == []

    operations = [
        request
        for request in log.requests
        if request.method == "POST"
        and urlsplit(request.url).path == "/graphql"
        and "TopProducts" in (request.post_data or "")
    ]
    assert operations, "the run button sent no operation"
    assert operations[-1].headers.get("authorization") == "Bearer demo-token"

    files = manifest()
    loaded = {urlsplit(url).path for url in log.urls()}
    for worker in files["workers"].values():
        assert f"/graphiql/{worker}" in loaded
    assert f"/graphiql/{files['app.js']}" in loaded
    assert f"/graphiql/{files['app.css']}" in loaded


async def test_plan_panel_shows_why_an_operation_cannot_be_planned(
    browser_context: BrowserContext,
) -> None:
    async with serve_shop() as base_url:
        page, log = await open_graphiql(browser_context, base_url)
        await page.click("button[aria-label='Show Query plan']")
        await page.get_by_test_id("query-plan").wait_for(timeout=30_000)

        # replace the operation with one the schema rejects
        await page.click(".graphiql-query-editor .view-lines")
        await page.keyboard.press("Control+A")
        await page.keyboard.press("Delete")
        await page.keyboard.insert_text("{ nope }")
        alert = page.locator(".aggregator-plan-error")
        await alert.wait_for(timeout=30_000)
        message = monaco_text(await alert.inner_text())
        assert message.startswith("GRAPHQL_VALIDATION_FAILED:")
        assert "nope" in message
        assert await page.get_by_test_id("query-plan").count() == 0
        await settle(page, log)
    assert log.errors == []


async def test_no_plan_panel_unless_plans_are_exposed(browser_context: BrowserContext) -> None:
    async with serve_shop(shop_options(expose_query_plans=False)) as base_url:
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
    async with serve_shop(shop_options(graphiql=False)) as base_url:
        page = await browser_context.new_page()
        response = await page.goto(f"{base_url}/graphql")
        assert response is not None
        assert response.status == 404
        assert "GraphiQL is disabled" in await page.inner_text("body")
        assert await page.locator("script").count() == 0
        # the API itself still answers
        result = await page.request.post(
            f"{base_url}/graphql",
            data=json.dumps({"query": "{ me { name } }"}),
            headers={"content-type": "application/json"},
        )
        assert await result.json() == {"data": {"me": {"name": "Ada Lovelace"}}}
        await page.close()

"""Debian's Chromium driven by Playwright: the console as a person uses it.

Playwright cannot download its own browsers here, so tests launch ``/usr/bin/chromium``
(``./scripts/test`` installs Debian's package when it is missing) and fail, loudly,
rather than skip when it is not there.
"""

from __future__ import annotations

import os
import shutil

from playwright.async_api import Browser, BrowserContext, Page, Playwright

from tests.support.gateway import Gateway

CHROMIUM = os.environ.get("REPLYWATCH_CHROMIUM", "/usr/bin/chromium")
#: Flags for a closed network: no background connections, no first-run work.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


async def launch(playwright: Playwright) -> Browser:
    """Start headless Chromium (the Debian package)."""
    if shutil.which(CHROMIUM) is None:
        raise RuntimeError(
            f"{CHROMIUM} not found: install Debian's chromium package (./scripts/test does)"
        )
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)


async def _fresh_page(
    browser: Browser, gateway: Gateway, locale: str
) -> tuple[BrowserContext, Page]:
    """A new browser profile and page that record what the page raises."""
    context = await browser.new_context(
        locale=locale, viewport={"width": 1280, "height": 800}, base_url=gateway.url
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    setattr(page, "errors", errors)  # noqa: B010 - the tests read what the page raised
    return context, page


async def sign_in(
    browser: Browser, gateway: Gateway, token: str, *, locale: str = "en-US"
) -> tuple[BrowserContext, Page]:
    """A fresh browser profile signed in with ``token``: its context and page (on the
    role's home page, scripts loaded)."""
    context, page = await _fresh_page(browser, gateway, locale)
    await page.goto("/")
    await page.fill("input[name=token]", token)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/console/**")
    return context, page


async def sign_in_as(
    browser: Browser, gateway: Gateway, username: str, password: str, *, locale: str = "en-US"
) -> tuple[BrowserContext, Page]:
    """A fresh browser profile signed in with a name and password (an account)."""
    context, page = await _fresh_page(browser, gateway, locale)
    await page.goto("/")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/console/**")
    return context, page


async def ready(page: Page) -> None:
    """Wait until a console page's scripts have loaded their data."""
    await page.wait_for_selector("body[data-ready=true]", timeout=10_000)


def page_errors(page: Page) -> list[str]:
    """What the page raised (script errors, unexpected dialogs such as ``alert()``)."""
    return list(getattr(page, "errors", []))


async def screenshot(page: Page, name: str) -> None:
    """Save a screenshot when ``REPLYWATCH_SCREENSHOTS`` names a folder (README images)."""
    folder = os.environ.get("REPLYWATCH_SCREENSHOTS")
    if folder:
        await page.screenshot(path=os.path.join(folder, f"{name}.png"))  # Playwright makes it

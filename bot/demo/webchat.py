"""The demo's web chat (DESIGN.md section 13), played after the month's end: a customer
opens ``/chat`` as a browser would (a visitor token from the page, then Socket.IO
``/customer``), asks about an invoice; routing gives the chat to an online agent, who
answers with the suggested script, and the customer's page shows the welcome line, who
joined and the answer, live. With ``replywatch demo --stay`` the service then keeps
running, so that the newcomer can be the customer and the agent in two windows.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import time
from typing import TYPE_CHECKING, Any

import socketio

from bot.demo.consoles import AGENTS, PASSWORD, SUPERVISOR, expect_status

if TYPE_CHECKING:
    from bot.demo.shift import Shift

NAME = "陈女士"
QUESTION = ("你好，能开发票吗", "can I get an invoice?")
#: The page's embedded settings (the visitor token a new browser keeps).
_CONFIG = re.compile(r'<script type="application/json" id="rw-config">(.*?)</script>', re.S)
_SAYS = {
    "open": "an agent is online",
    "nobody": "nobody online: leave a message",
    "closed": "closed: leave a message",
}


async def _visitor_token(shift: Shift) -> str:
    async with shift.http.get(f"{shift.url}/chat") as page:
        found = _CONFIG.search(await page.text())
    if page.status != 200 or found is None:
        raise RuntimeError(f"the demo service's chat page answered {page.status}")
    return str(json.loads(found.group(1))["visitor"])


async def _agent_of(shift: Shift, conversation: str) -> str:
    headers = {"Authorization": f"Bearer {SUPERVISOR}"}
    async with shift.http.get(
        f"{shift.url}/api/v1/conversations/{conversation}", headers=headers
    ) as r:
        agent = (await expect_status(r, 200))["conversation"]["agent_id"]
    if agent not in AGENTS:
        raise RuntimeError(f"the web chat {conversation} was not routed to an agent")
    return str(agent)


async def _page_shows(shift: Shift, arrived: asyncio.Queue[dict[str, Any]], role: str) -> None:
    """Print what the customer's page receives, up to the first message from ``role``."""
    while True:
        line = await asyncio.wait_for(arrived.get(), 5.0)
        what = {"bot": "the automatic line", "agent": f"{line['name']}'s answer"}.get(line["role"])
        if what is not None:
            shift.screen.show(NAME, f"her page shows {what}: {line['text'][:24]}...")
        if line["role"] == role:
            return


async def visit(shift: Shift) -> None:
    """A customer asks from the chat page and gets the routed agent's answer live."""
    print(f"\nthe web chat ({shift.url}/chat, DESIGN.md section 13):", file=shift.screen.out)
    page = socketio.AsyncClient(reconnection=False)
    arrived: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    page.on("message", arrived.put, namespace="/customer")
    auth = {"token": await _visitor_token(shift)}
    await page.connect(shift.url, namespaces=["/customer"], auth=auth, transports=["websocket"])
    try:
        history = await page.call("history", None, namespace="/customer", timeout=5)
        shift.screen.show(NAME, f"opens the chat page: {_SAYS[history['availability']]}")
        text, gloss = QUESTION
        said = {"id": "demo-web-0001", "text": text}
        # Shown before it is sent: the agent's console has it (and its suggestions) at once.
        shift.screen.show(NAME, f"-> web chat: {text}  ({gloss})")
        ack = await page.call("message", said, namespace="/customer", timeout=5)
        if "error" in ack:
            raise RuntimeError(f"the demo service refused the web chat message: {ack}")
        conversation = ack["id"].split("/")[0]
        agent = await _agent_of(shift, conversation)
        shift.asked_at[ack["id"]] = time.monotonic()
        shift.screen.show("(routing)", f"her chat went to {agent}, an online agent with room")
        await shift.answer(agent, conversation, ack["id"], channel="web")
        await _page_shows(shift, arrived, "agent")
    finally:
        await page.disconnect()


def print_stay(shift: Shift) -> None:
    """How to be the customer and the agent on the demo service that keeps running."""
    lines = [
        "",
        "the demo service keeps running (Ctrl-C ends it):",
        f"  be the customer: open {shift.url}/chat",
        f"  be the agent:    open {shift.url}/ in another window and sign in as alice",
        f"                   (or bob, carol, dave, erin), password: {PASSWORD}",
    ]
    for line in lines:
        print(line, file=shift.screen.out, flush=True)


async def until_interrupted() -> None:
    """Until Ctrl-C (or SIGTERM): then the demo service closes as it normally does."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)

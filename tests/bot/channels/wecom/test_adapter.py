"""A customer writes from WeChat to the shop's 微信客服 account: WeCom calls back
(encrypted, signed), ReplyWatch fetches the messages with sync_msg from its saved
cursor, and the agent's answer goes back with send_msg."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from defusedxml import ElementTree
from wechatpy.enterprise.crypto import WeChatCrypto

from bot.channels.gateway import CHANNELS
from bot.channels.wecom import WeComChannel
from storage.cursors import Cursors
from tests.bot.channels.wecom.fake import FakeWeCom
from tests.support.gateway import Gateway, Listener, StartGateway
from tests.support.settings import make_settings
from tests.support.store import count_events, engine_of, eventually
from tests.support.tokens import ALICE

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "QDG6eK0sSeTRiWn1"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
ACCOUNT, CUSTOMER = "wkShop0001", "wmCustomer0001"
CONVERSATION = f"{ACCOUNT}:{CUSTOMER}"
FAST = {"backoff_seconds": 0.05, "poll_seconds": 0.05}


def messages() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads((FIXTURES / "sync_msg_list.json").read_text())
    return found


def wecom_channel(api_base: str) -> dict[str, Any]:
    return {
        "type": "wecom",
        "name": "wecom",
        "corp_id": FakeWeCom.CORP_ID,
        "corp_secret": FakeWeCom.SECRET,
        "token": TOKEN,
        "encoding_aes_key": AES_KEY,
        "agents": {"ZhangSan": "alice"},
        "poll_seconds": 30,
        "api_base": api_base,
    }


async def shop(start_gateway: StartGateway, database_url: str, fake: FakeWeCom) -> Gateway:
    settings = make_settings(database_url, delivery=FAST, channels=[wecom_channel(fake.api_base)])
    gateway = await start_gateway(settings)
    await gateway.assign(CONVERSATION, "alice", channel="wecom")
    return gateway


def signed_query(**extra: str) -> dict[str, str]:
    return {"timestamp": str(int(time.time())), "nonce": "1372623149", **extra}


async def callback(gateway: Gateway, xml: str | None = None, **query: str) -> tuple[int, str]:
    """WeCom's POST, encrypted and signed by wechatpy (the independent implementation)."""
    params = signed_query(**query)
    plain = xml or (FIXTURES / "kf_msg_or_event.xml").read_text(encoding="utf-8")
    envelope = ElementTree.fromstring(
        WeChatCrypto(TOKEN, AES_KEY, FakeWeCom.CORP_ID).encrypt_message(
            plain, params["nonce"], params["timestamp"]
        )
    )
    params.setdefault("msg_signature", envelope.findtext("MsgSignature") or "")
    body = (
        f"<xml><ToUserName><![CDATA[{FakeWeCom.CORP_ID}]]></ToUserName>"
        f"<Encrypt><![CDATA[{envelope.findtext('Encrypt')}]]></Encrypt>"
        "<AgentID><![CDATA[218]]></AgentID></xml>"
    )
    async with gateway.http.post(
        f"{gateway.url}/channels/wecom", params=params, data=body.encode()
    ) as resp:
        return resp.status, await resp.text()


async def stored(gateway: Gateway, count: int) -> None:
    async def enough() -> bool:
        return await count_events(engine_of(gateway.app)) >= count

    await eventually(enough)


async def test_the_callback_url_check_echoes_the_decrypted_echostr(
    start_gateway: StartGateway, sqlite_url: str, fake_wecom: FakeWeCom
) -> None:
    gateway = await shop(start_gateway, sqlite_url, fake_wecom)
    crypto = WeChatCrypto(TOKEN, AES_KEY, FakeWeCom.CORP_ID)
    params = signed_query()
    envelope = ElementTree.fromstring(
        crypto.encrypt_message("echo-5927164871", params["nonce"], params["timestamp"])
    )
    params |= {
        "echostr": envelope.findtext("Encrypt", ""),
        "msg_signature": envelope.findtext("MsgSignature", ""),
    }
    url = f"{gateway.url}/channels/wecom?" + "&".join(f"{k}={quote(v)}" for k, v in params.items())
    async with gateway.http.get(url) as resp:
        assert (resp.status, await resp.text()) == (200, "echo-5927164871")
    async with gateway.http.get(url.replace("msg_signature=", "msg_signature=0")) as resp:
        assert resp.status == 401


async def test_a_callback_syncs_the_messages_from_the_cursor(
    start_gateway: StartGateway,
    database_url: str,
    fake_wecom: FakeWeCom,
    listeners: Callable[[], Listener],
) -> None:
    fake_wecom.messages = messages()
    gateway = await shop(start_gateway, database_url, fake_wecom)
    alice = listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    assert await callback(gateway) == (200, "success")
    suggested = await alice.next("suggestions")
    assert suggested["message_id"] == "from_msgid_4622416642169452483"
    assert suggested["items"][0]["script_id"] == "zh-ship-time"
    await stored(gateway, 4)  # the assignment, two customer messages, ZhangSan's answer
    conversation = await gateway.transcript(CONVERSATION)
    assert [
        (m["sender"]["role"], m["sender"]["id"], m["text"]) for m in conversation["messages"]
    ] == [
        ("customer", CUSTOMER, "你好，请问今天下单几天能发货？"),
        ("customer", CUSTOMER, "[image]"),
        ("agent", "alice", "亲，现货 48 小时内发货～"),
    ]
    [turn] = conversation["turns"]
    assert (turn["end_reason"], turn["response_seconds"]) == ("reply", 12)
    # Paged by two: cursors "", "2", "4"; the callback's Token went along.
    assert [r.get("cursor", "") for r in fake_wecom.sync_requests] == ["", "2", "4"]
    assert {r["token"] for r in fake_wecom.sync_requests} == {
        "ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR"
    }
    assert fake_wecom.tokens_issued == 1


async def test_a_restart_resumes_from_the_saved_cursor(
    start_gateway: StartGateway, sqlite_url: str, fake_wecom: FakeWeCom
) -> None:
    fake_wecom.messages = messages()[:2]
    first = await shop(start_gateway, sqlite_url, fake_wecom)
    await callback(first)
    await stored(first, 3)
    cursors = Cursors(engine_of(first.app))

    async def cursor_saved() -> bool:  # saved just after the messages are stored
        return await cursors.get("wecom", ACCOUNT) == "2"

    await eventually(cursor_saved)
    await first.http.close()
    await first.server.close()

    fake_wecom.messages = messages()
    fake_wecom.sync_requests.clear()
    settings = make_settings(
        sqlite_url, delivery=FAST, channels=[wecom_channel(fake_wecom.api_base)]
    )
    second = await start_gateway(settings)
    await callback(second)
    await stored(second, 4)
    assert fake_wecom.sync_requests[0]["cursor"] == "2"  # nothing fetched twice
    assert len((await second.transcript(CONVERSATION))["messages"]) == 3


async def test_an_answer_goes_back_with_send_msg(
    start_gateway: StartGateway,
    sqlite_url: str,
    fake_wecom: FakeWeCom,
    listeners: Callable[[], Listener],
) -> None:
    fake_wecom.messages = messages()[:1]
    gateway = await shop(start_gateway, sqlite_url, fake_wecom)
    alice = listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    await callback(gateway)
    suggested = await alice.next("suggestions")
    body = {"conversation_id": CONVERSATION, "text": suggested["items"][0]["text"]}
    await alice.client.call("reply", body, namespace="/agent", timeout=5)
    [sent] = await fake_wecom.wait_sent(1)
    assert sent["touser"] == CUSTOMER
    assert sent["open_kfid"] == ACCOUNT
    assert sent["msgtype"] == "text"
    assert sent["text"] == {"content": suggested["items"][0]["text"]}
    assert sent["msgid"].startswith("rw-")
    assert len(sent["msgid"]) <= 32
    assert (await alice.next("message.delivery"))["state"] == "sent"
    conversation = await gateway.transcript(CONVERSATION)
    assert conversation["messages"][1]["delivery"]["remote_id"] == sent["msgid"]
    assert conversation["turns"][0]["end_reason"] == "reply"  # the reply clock stopped


async def test_access_tokens_are_cached_and_refreshed_when_revoked_or_expiring(
    start_gateway: StartGateway, sqlite_url: str, fake_wecom: FakeWeCom
) -> None:
    gateway = await shop(start_gateway, sqlite_url, fake_wecom)
    adapter = gateway.app[CHANNELS].adapters["wecom"]
    assert isinstance(adapter, WeComChannel)
    now = [1000.0]
    adapter.api.clock = lambda: now[0]
    fake_wecom.expires_in = 7200
    await callback(gateway)
    await eventually(lambda: len(fake_wecom.sync_requests) == 1)
    await callback(gateway)
    await eventually(lambda: len(fake_wecom.sync_requests) == 2)
    assert fake_wecom.tokens_issued == 1  # cached
    fake_wecom.revoke()
    await callback(gateway)
    await eventually(lambda: len(fake_wecom.sync_requests) == 3)
    assert fake_wecom.tokens_issued == 2  # 40014, fetched again, call repeated
    now[0] += 7200 - 299  # within the last five minutes of its life
    await callback(gateway)
    await eventually(lambda: len(fake_wecom.sync_requests) == 4)
    assert fake_wecom.tokens_issued == 3


@pytest.mark.parametrize("how", ["unsigned", "forged", "stale", "not xml", "not for us"])
async def test_bad_callbacks_are_refused_and_fetch_nothing(
    start_gateway: StartGateway, sqlite_url: str, fake_wecom: FakeWeCom, how: str
) -> None:
    fake_wecom.messages = messages()
    gateway = await shop(start_gateway, sqlite_url, fake_wecom)
    if how == "unsigned":
        status, _ = await callback(gateway, msg_signature="")
    elif how == "forged":
        status, _ = await callback(gateway, msg_signature="0" * 40)
    elif how == "stale":
        status, _ = await callback(gateway, timestamp=str(int(time.time()) - 301))
    elif how == "not xml":
        async with gateway.http.post(
            f"{gateway.url}/channels/wecom", params=signed_query(msg_signature="x"), data=b"{}"
        ) as resp:
            status = resp.status
    else:
        other = WeChatCrypto(TOKEN, AES_KEY, "another-corp")
        params = signed_query()
        envelope = ElementTree.fromstring(
            other.encrypt_message("<xml/>", params["nonce"], params["timestamp"])
        )
        params["msg_signature"] = envelope.findtext("MsgSignature") or ""
        body = f"<xml><Encrypt><![CDATA[{envelope.findtext('Encrypt')}]]></Encrypt></xml>"
        async with gateway.http.post(
            f"{gateway.url}/channels/wecom", params=params, data=body.encode()
        ) as resp:
            status = resp.status
    assert status == {"unsigned": 401, "forged": 401, "stale": 401}.get(how, 400)
    assert fake_wecom.sync_requests == []


async def test_a_refused_send_alerts_the_agent_and_a_busy_one_is_retried(
    start_gateway: StartGateway,
    sqlite_url: str,
    fake_wecom: FakeWeCom,
    listeners: Callable[[], Listener],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    fake_wecom.messages = messages()[:1]
    fake_wecom.fail(200, {"errcode": -1, "errmsg": "system busy"})
    fake_wecom.fail(
        200, {"errcode": 95018, "errmsg": "send msg not allowed, session state invalid"}
    )
    gateway = await shop(start_gateway, sqlite_url, fake_wecom)
    alice = listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    await callback(gateway)
    await alice.next("suggestions")
    body = {"conversation_id": CONVERSATION, "text": "亲，在的"}
    await alice.client.call("reply", body, namespace="/agent", timeout=5)
    alert = await alice.alert("delivery.failed")
    assert alert["agent_id"] == "alice"
    delivery = (await gateway.transcript(CONVERSATION))["messages"][1]["delivery"]
    assert (delivery["state"], delivery["attempts"]) == ("failed", 2)
    assert delivery["error"] == "WeCom send_msg: 95018 send msg not allowed, session state invalid"
    # The fake WeCom's own access log (same process) shows its query strings; ours must not.
    ours = "\n".join(
        r.getMessage()
        for r in caplog.records
        if not (r.name == "aiohttp.access" and "/cgi-bin/" in r.getMessage())
    )
    assert "95018" in ours
    for secret in (FakeWeCom.SECRET, TOKEN, AES_KEY, fake_wecom.token):
        assert secret not in ours


async def test_a_busy_wecom_is_asked_again_within_seconds_not_at_the_next_poll(
    start_gateway: StartGateway, sqlite_url: str, fake_wecom: FakeWeCom
) -> None:
    fake_wecom.messages = messages()[:1]
    fake_wecom.sync_busy = 2
    gateway = await shop(start_gateway, sqlite_url, fake_wecom)  # poll_seconds = 30
    started = time.monotonic()
    await callback(gateway)
    await stored(gateway, 2)
    assert time.monotonic() - started < 5  # retried after 1 s and 2 s

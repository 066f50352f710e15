"""Learning from use: a customer asks in words the library does not know, alice answers
with the right script anyway, her choice is proposed as a new question of that script,
and once the supervisor accepts it the next customer asking that way gets the script."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from tests.support.events import assigned, customer_says
from tests.support.gateway import Gateway, Listener, StartGateway
from tests.support.settings import make_settings
from tests.support.tokens import ALICE, QA, SUPERVISOR

WORDING = "钱啥时候能回到我卡上"
SCRIPT = "zh-refund-time"


async def _score_for(gateway: Gateway, text: str, script_id: str) -> float:
    status, found = await gateway.call("GET", f"/api/v1/suggest?q={quote(text)}&k=50", SUPERVISOR)
    assert status == 200
    return max((i["score"] for i in found["items"] if i["script_id"] == script_id), default=0.0)


async def _alice_uses(
    gateway: Gateway, alice: Listener, message_id: str, script_id: str, action: str = "edited"
) -> object:
    return await alice.client.call(
        "suggestion.feedback",
        {"message_id": message_id, "script_id": script_id, "action": action},
        namespace="/agent",
        timeout=5,
    )


async def test_a_weakly_matched_wording_is_proposed_and_accepted_into_the_library(
    gateway: Gateway, listeners: object
) -> None:
    alice = listeners()  # type: ignore[operator]
    await alice.connect(gateway.url, "/agent", ALICE)
    before = await _score_for(gateway, WORDING, SCRIPT)
    assert before < 70
    await gateway.post_events(
        {"events": [assigned("c1", "alice", "a1"), customer_says("m1", conv="c1", text=WORDING)]}
    )
    await alice.next("suggestions")
    assert await _alice_uses(gateway, alice, "m1", SCRIPT) == {"ok": True, "proposed": True}
    # the same wording again is not proposed twice
    assert await _alice_uses(gateway, alice, "m1", SCRIPT) == {"ok": True, "proposed": False}

    status, listed = await gateway.call("GET", "/api/v1/scripts/proposals", QA)
    assert status == 200
    [proposal] = listed["items"]
    assert (proposal["script_id"], proposal["text"], proposal["state"]) == (
        SCRIPT,
        WORDING,
        "pending",
    )
    assert proposal["score"] == before

    status, _ = await gateway.call(
        "POST", f"/api/v1/scripts/proposals/{proposal['id']}/accept", ALICE
    )
    assert status == 403
    status, accepted = await gateway.call(
        "POST", f"/api/v1/scripts/proposals/{proposal['id']}/accept", SUPERVISOR
    )
    assert status == 200
    assert accepted["state"] == "accepted"
    assert accepted["decided_by"] == f"supervisor:{SUPERVISOR[:4]}…"
    status, script = await gateway.call("GET", f"/api/v1/scripts/{SCRIPT}", SUPERVISOR)
    assert WORDING in script["questions"]
    assert await _score_for(gateway, WORDING, SCRIPT) > 90
    assert await _score_for(gateway, "我的钱啥时候回到卡上", SCRIPT) > before

    status, again = await gateway.call(
        "POST", f"/api/v1/scripts/proposals/{proposal['id']}/reject", SUPERVISOR
    )
    assert (status, again["error"]) == (409, "the proposal was already accepted")
    status, pending = await gateway.call("GET", "/api/v1/scripts/proposals", SUPERVISOR)
    assert pending["items"] == []


async def test_a_strong_match_or_an_ignored_suggestion_proposes_nothing(
    gateway: Gateway, listeners: object
) -> None:
    alice = listeners()  # type: ignore[operator]
    await alice.connect(gateway.url, "/agent", ALICE)
    await gateway.post_events(customer_says("m1", text="能开发票吗"))
    await gateway.suggested()  # the feedback is on suggestions the message got
    assert await _alice_uses(gateway, alice, "m1", "zh-invoice") == {"ok": True, "proposed": False}
    ignored = await _alice_uses(gateway, alice, "m1", "zh-courier", "ignored")
    assert ignored == {"ok": True, "proposed": False}
    status, listed = await gateway.call("GET", "/api/v1/scripts/proposals", SUPERVISOR)
    assert (status, listed["items"]) == (200, [])


async def test_proposals_refuse_bad_ids_and_a_file_backed_library(
    start_gateway: StartGateway, sqlite_url: str, tmp_path: Path, listeners: object
) -> None:
    library = tmp_path / "library.toml"
    library.write_text(
        '[[script]]\nid = "refund"\ncategory = "after-sale"\ntitle = "t"\n'
        'questions = ["退款多久到账"]\nreply = "r"\n',
        encoding="utf-8",
    )
    gateway = await start_gateway(make_settings(sqlite_url, matcher={"library": str(library)}))
    alice = listeners()  # type: ignore[operator]
    await alice.connect(gateway.url, "/agent", ALICE)
    await gateway.post_events(customer_says("m1", text="我要投诉"))
    await gateway.suggested()
    assert await _alice_uses(gateway, alice, "m1", "refund") == {"ok": True, "proposed": True}
    [proposal] = (await gateway.call("GET", "/api/v1/scripts/proposals", SUPERVISOR))[1]["items"]
    status, answer = await gateway.call(
        "POST", f"/api/v1/scripts/proposals/{proposal['id']}/accept", SUPERVISOR
    )
    assert status == 409
    assert "file-backed" in answer["error"]
    status, rejected = await gateway.call(
        "POST", f"/api/v1/scripts/proposals/{proposal['id']}/reject", SUPERVISOR
    )
    assert (status, rejected["state"]) == (200, "rejected")
    for bad in ("²", "１", "99999999999999999999", "x"):
        status, answer = await gateway.call(
            "POST", f"/api/v1/scripts/proposals/{quote(bad)}/reject", SUPERVISOR
        )
        assert (status, answer["error"]) == (404, "no such proposal")
    status, answer = await gateway.call("GET", "/api/v1/scripts/proposals?state=maybe", QA)
    assert status == 400

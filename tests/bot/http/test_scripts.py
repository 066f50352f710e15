"""Supervisors manage the reply-script library over HTTP; agents and integrations ask
for suggestions. Changes apply to the next question without a restart, and a bad
import changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.events import customer_says
from tests.support.gateway import Gateway
from tests.support.tokens import ADMIN, ALICE, INTEGRATION, SUPERVISOR, auth

NEW = {
    "id": "thermos",
    "category": "pre-sale",
    "title": "保温杯能装开水吗",
    "questions": ["极光保温杯能装开水吗", "保温杯可以装热水吗"],
    "keywords": ["保温杯"],
    "reply": "可以的亲，保温杯能装 100℃ 开水，保温 12 小时。",
}


async def call(
    gateway: Gateway,
    method: str,
    path: str,
    token: str = ADMIN,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> tuple[int, Any]:
    async with gateway.http.request(
        method, f"{gateway.url}{path}", headers={**auth(token), **(headers or {})}, **kwargs
    ) as resp:
        if resp.content_type == "application/json":
            return resp.status, await resp.json()
        return resp.status, await resp.text()


async def test_suggest_returns_the_best_scripts_first(gateway: Gateway) -> None:
    status, body = await call(
        gateway, "GET", "/api/v1/suggest", ALICE, params={"q": "亲，幾天能發貨呀", "k": "2"}
    )
    assert status == 200
    first = body["items"][0]
    assert first["script_id"] == "zh-ship-time"
    assert set(first) >= {"script_id", "title", "text", "score", "category"}
    assert 0 <= first["score"] <= 100
    assert len(body["items"]) <= 2


@pytest.mark.parametrize(
    "params",
    [{}, {"q": ""}, {"q": "hi", "k": "0"}, {"q": "hi", "k": "x"}, {"q": "hi", "extra": "1"}],
)
async def test_suggest_rejects_bad_queries(gateway: Gateway, params: dict[str, str]) -> None:
    status, body = await call(gateway, "GET", "/api/v1/suggest", INTEGRATION, params=params)
    assert status == 400
    assert body["error"] == "invalid query"


async def test_listing_pages_through_the_whole_library(gateway: Gateway) -> None:
    seen: list[str] = []
    params = {"limit": "25"}
    while True:
        status, body = await call(gateway, "GET", "/api/v1/scripts", ALICE, params=params)
        assert status == 200
        seen += [item["id"] for item in body["items"]]
        if body["next"] is None:
            break
        params = {"limit": "25", "cursor": body["next"]}
    assert len(seen) == len(set(seen)) >= 80
    assert seen == sorted(seen)
    status, body = await call(
        gateway, "GET", "/api/v1/scripts", ALICE, params={"category": "complaint"}
    )
    assert {item["category"] for item in body["items"]} == {"complaint"}
    status, body = await call(gateway, "GET", "/api/v1/scripts", ALICE, params={"cursor": "%%"})
    assert (status, body["error"]) == (400, "invalid cursor")


async def test_a_new_script_answers_the_next_question(gateway: Gateway) -> None:
    status, _ = await call(gateway, "GET", "/api/v1/scripts/thermos")
    assert status == 404
    status, body = await call(gateway, "POST", "/api/v1/scripts", SUPERVISOR, json=NEW)
    assert (status, body["id"]) == (201, "thermos")
    _, found = await call(
        gateway, "GET", "/api/v1/suggest", ALICE, params={"q": "这个保温杯能不能装开水"}
    )
    assert found["items"][0]["script_id"] == "thermos"
    status, body = await call(gateway, "POST", "/api/v1/scripts", SUPERVISOR, json=NEW)
    assert status == 409


async def test_update_and_delete(gateway: Gateway) -> None:
    changed = {**NEW, "reply": "亲，可以装开水哦"}
    status, _ = await call(gateway, "PUT", "/api/v1/scripts/thermos", json=changed)
    assert status == 201
    status, body = await call(
        gateway,
        "PUT",
        "/api/v1/scripts/thermos",
        json={k: v for k, v in changed.items() if k != "id"},
    )
    assert (status, body["reply"]) == (200, "亲，可以装开水哦")
    status, body = await call(gateway, "PUT", "/api/v1/scripts/other", json=changed)
    assert (status, body["error"]) == (400, "id in the body differs from the path")
    assert (await call(gateway, "DELETE", "/api/v1/scripts/thermos"))[0] == 204
    assert (await call(gateway, "DELETE", "/api/v1/scripts/thermos"))[0] == 404
    _, found = await call(gateway, "GET", "/api/v1/suggest", ALICE, params={"q": "保温杯装开水"})
    assert all(item["script_id"] != "thermos" for item in found["items"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW, "questions": []}, "questions"),
        ({**NEW, "id": "has space"}, "id"),
        ({**NEW, "surprise": 1}, "surprise"),
        ({k: v for k, v in NEW.items() if k != "reply"}, "reply"),
    ],
)
async def test_an_invalid_script_is_refused_field_by_field(
    gateway: Gateway, body: dict[str, Any], field: str
) -> None:
    status, answer = await call(gateway, "POST", "/api/v1/scripts", json=body)
    assert status == 400
    assert field in {item["field"] for item in answer["details"]}


async def test_only_supervisors_and_admins_edit(gateway: Gateway) -> None:
    assert (await call(gateway, "POST", "/api/v1/scripts", ALICE, json=NEW))[0] == 403
    assert (await call(gateway, "DELETE", "/api/v1/scripts/zh-welcome", INTEGRATION))[0] == 403
    assert (await call(gateway, "GET", "/api/v1/scripts/export", INTEGRATION))[0] == 403


async def test_export_then_import_round_trips(gateway: Gateway) -> None:
    status, csv_text = await call(
        gateway, "GET", "/api/v1/scripts/export", params={"format": "csv"}
    )
    assert status == 200
    assert csv_text.startswith("id,category,title,questions,keywords,reply")
    status, body = await call(
        gateway,
        "POST",
        "/api/v1/scripts/import",
        params={"format": "csv", "mode": "replace"},
        data=csv_text,
    )
    assert status == 200
    assert (body["created"], body["deleted"], body["updated"]) == (0, 0, body["total"])
    _, toml_text = await call(gateway, "GET", "/api/v1/scripts/export", params={"format": "toml"})
    status, body = await call(
        gateway,
        "POST",
        "/api/v1/scripts/import",
        headers={"Content-Type": "application/toml"},
        data=toml_text,
    )
    _, again = await call(gateway, "GET", "/api/v1/scripts/export", params={"format": "csv"})
    assert again == csv_text


async def test_import_merge_and_replace(gateway: Gateway) -> None:
    csv_text = (
        "id,category,title,questions,keywords,reply\n"
        "thermos,pre-sale,保温杯,保温杯能装开水吗|能装热水吗,保温杯,可以的亲\n"
        "zh-welcome,greeting,欢迎,你好|在吗,,您好，欢迎光临\n"
    )
    status, body = await call(
        gateway,
        "POST",
        "/api/v1/scripts/import",
        SUPERVISOR,
        params={"format": "csv"},
        data=csv_text,
    )
    assert (status, body["created"], body["updated"], body["deleted"]) == (200, 1, 1, 0)
    status, body = await call(
        gateway,
        "POST",
        "/api/v1/scripts/import",
        SUPERVISOR,
        params={"format": "csv", "mode": "replace"},
        data=csv_text,
    )
    assert body["deleted"] >= 80
    _, listed = await call(gateway, "GET", "/api/v1/scripts", ALICE)
    assert [item["id"] for item in listed["items"]] == ["thermos", "zh-welcome"]


async def test_a_bad_import_changes_nothing(gateway: Gateway) -> None:
    _, before = await call(gateway, "GET", "/api/v1/scripts/export", params={"format": "csv"})
    bad = (
        "id,category,title,questions,keywords,reply\n"
        "thermos,pre-sale,保温杯,保温杯能装开水吗,,可以的亲\n"
        "zh-welcome,greeting,,你好,,您好\n"
    )
    status, body = await call(
        gateway,
        "POST",
        "/api/v1/scripts/import",
        params={"format": "csv", "mode": "replace"},
        data=bad,
    )
    assert (status, body["error"]) == (400, "invalid library file")
    assert body["details"] == [
        {"line": 3, "field": "title", "error": "String should have at least 1 character"}
    ]
    for data, kind in ((b"\xff\xfe", "text/csv"), (b"[[script]\n", "application/toml")):
        status, _ = await call(
            gateway, "POST", "/api/v1/scripts/import", headers={"Content-Type": kind}, data=data
        )
        assert status == 400
    status, _ = await call(gateway, "POST", "/api/v1/scripts/import", data=b"id\n")
    assert status == 415
    _, after = await call(gateway, "GET", "/api/v1/scripts/export", params={"format": "csv"})
    assert after == before


async def test_gaps_group_the_questions_the_library_lacks(gateway: Gateway) -> None:
    questions = [
        "你们老板是谁",
        "你们老板是谁？",
        "你們老闆是誰",
        "你们公司在哪个城市",
        "亲，几天能发货",
    ]
    await gateway.post_events(
        {"events": [customer_says(f"m{i}", text=q) for i, q in enumerate(questions)]}
    )
    await gateway.suggested()
    status, body = await call(gateway, "GET", "/api/v1/scripts/gaps", SUPERVISOR)
    assert status == 200
    groups = [(g["count"], g["question"]) for g in body["items"]]
    # newest first: the group is named by its latest message
    assert groups == [(3, "你們老闆是誰"), (1, "你们公司在哪个城市")]
    _, later = await call(
        gateway, "GET", "/api/v1/scripts/gaps", SUPERVISOR, params={"since": "2999-01-01T00:00:00Z"}
    )
    assert later["items"] == []

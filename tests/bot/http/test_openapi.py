"""The API describes itself: an OpenAPI 3.1 document built from the route table and the
models that validate requests, and schemathesis, fuzzing every operation with each
role's token against a real gateway process, finds no 5xx and no answer that breaks
the document."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import schemathesis

from bot.http.openapi import OPERATIONS, api_routes
from tests.support.gateway import Gateway
from tests.support.processes import GatewayProcess, write_config
from tests.support.tokens import ADMIN, ALICE, INTEGRATION

ST = Path(sys.executable).with_name("st")


async def test_every_api_route_is_described(gateway: Gateway) -> None:
    assert gateway.app is not None
    assert {(method, path) for method, path, _ in api_routes(gateway.app)} == set(OPERATIONS)
    async with gateway.http.get(f"{gateway.url}/api/v1/openapi.json") as resp:
        assert resp.status == 200
        document = await resp.json()
    assert document["openapi"] == "3.1.0"
    schema = schemathesis.openapi.from_dict(document)  # validates the document
    assert len(list(schema.get_all_operations())) == len(OPERATIONS)
    review = document["paths"]["/api/v1/flags/{id}/review"]["post"]
    assert review["description"] == "Roles: admin, group_leader, qa, supervisor"
    assert review["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReviewIn"
    }


@pytest.mark.parametrize(
    "token", [ADMIN, ALICE, INTEGRATION], ids=["admin", "agent", "integration"]
)
async def test_schemathesis_finds_no_server_error_or_schema_violation(
    tmp_path: Path,
    sqlite_url: str,
    gateway_processes: Callable[..., GatewayProcess],
    token: str,
) -> None:
    config = write_config(tmp_path / "gateway.toml", sqlite_url)
    server = gateway_processes(config)
    await server.start()
    command = [
        str(ST),
        "run",
        f"{server.url}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--max-examples",
        "10",
        "--phases",
        "examples,coverage,fuzzing",
        "--checks",
        "not_a_server_error,response_schema_conformance,content_type_conformance",
        "--request-timeout",
        "20",
        "--seed",
        "20261126",
    ]
    done = await asyncio.to_thread(
        subprocess.run,
        command,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,  # schemathesis keeps a cache in its working folder: not the repo's
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert " passed" in done.stdout

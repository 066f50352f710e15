"""Watch what ReplyWatch pushes to one agent (or to supervisors).

.venv/bin/python docs/examples/watch.py --token change-me-agent-alice
.venv/bin/python docs/examples/watch.py --namespace /supervisor --token change-me-supervisor
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

import socketio


async def main() -> None:
    parser = argparse.ArgumentParser(description="print Socket.IO events from ReplyWatch")
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--namespace", default="/agent", choices=["/agent", "/supervisor"])
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    client = socketio.AsyncClient()

    @client.on("*", namespace=args.namespace)
    async def show(event: str, data: Any) -> None:
        print(event, json.dumps(data, ensure_ascii=False), flush=True)

    await client.connect(args.url, namespaces=[args.namespace], auth={"token": args.token})
    print(f"connected to {args.url}{args.namespace}; Ctrl-C to stop", flush=True)
    await client.wait()


if __name__ == "__main__":
    asyncio.run(main())

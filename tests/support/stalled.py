"""A Socket.IO console that connects properly and then never reads again.

Spoken over a raw TCP socket with a tiny receive buffer (no client library would let a
test stop reading): the WebSocket upgrade, the Engine.IO open packet, the ``/agent``
namespace join with a token; after that the test simply stops calling ``recv``, so the
server's pushes pile up in the kernel buffers and then in the server's own queue.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
from urllib.parse import urlsplit


class StalledConsole:
    """One raw connection to the gateway's Socket.IO endpoint."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer

    @classmethod
    async def join(cls, url: str, namespace: str, token: str) -> StalledConsole:
        """Connect, upgrade, join ``namespace`` with ``token``; then read nothing more."""
        parts = urlsplit(url)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (parts.hostname, parts.port))
        reader, writer = await asyncio.open_connection(sock=sock, limit=2**20)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head
        console = cls(reader, writer)
        assert (await console.frame()).startswith("0{")  # Engine.IO open
        console.send(f"40{namespace},{json.dumps({'token': token})}")
        joined = await console.frame()
        assert joined.startswith(f"40{namespace},"), joined
        return console

    async def frame(self) -> str:
        """The next text frame from the server (unmasked, not fragmented)."""
        _, second = await self._reader.readexactly(2)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", await self._reader.readexactly(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", await self._reader.readexactly(8))
        return (await self._reader.readexactly(length)).decode()

    def send(self, text: str) -> None:
        """One masked text frame, as a client must send it."""
        data, mask = text.encode(), os.urandom(4)
        head = bytes([0x81])
        if len(data) < 126:
            head += bytes([0x80 | len(data)])
        else:
            head += bytes([0x80 | 126]) + struct.pack("!H", len(data))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self._writer.write(head + mask + masked)

    async def closed_by_server(self, within: float) -> bool:
        """Whether the server closed the connection within ``within`` seconds (the
        connection is drained only now, to see its end)."""
        try:
            async with asyncio.timeout(within):
                while await self._reader.read(2**16):
                    pass
        except TimeoutError:
            return False
        return True

    async def close(self) -> None:
        """Drop the connection."""
        self._writer.close()
        await self._writer.wait_closed()

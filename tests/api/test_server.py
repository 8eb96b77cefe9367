"""``api.server``: the listener uvicorn's workers share is bound as TCP, so accepted connections
get TCP_NODELAY (without it, keep-alive requests wait ~40 ms on the peer's delayed ACK)."""

from __future__ import annotations

import asyncio
import socket

from api.server import TcpConfig, tcp_listener


def test_bound_listener_reports_tcp():
    config = TcpConfig("api.app:create_app", factory=True, host="127.0.0.1", port=0, workers=2)
    sock = config.bind_socket()
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.get_inheritable()
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()


def test_plain_listener_is_fixed_and_unix_sockets_are_left_alone(tmp_path):
    plain = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0, as uvicorn binds it
    assert plain.proto == 0
    fixed = tcp_listener(plain)
    assert fixed.proto == socket.IPPROTO_TCP
    fixed.close()
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    assert tcp_listener(unix) is unix
    unix.close()


async def _accepted_nodelay(listener: socket.socket) -> tuple[int, int]:
    seen: asyncio.Future[tuple[int, int]] = asyncio.get_running_loop().create_future()

    def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        seen.set_result((sock.proto, sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)))
        writer.close()

    server = await asyncio.start_server(accepted, sock=listener)
    port = listener.getsockname()[1]
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    result = await asyncio.wait_for(seen, 5)
    writer.close()
    server.close()
    return result


def test_accepted_connections_get_nodelay_only_when_bound_as_tcp():
    def listener(fix: bool) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        return tcp_listener(sock) if fix else sock

    assert asyncio.run(_accepted_nodelay(listener(False)))[1] == 0  # the uvicorn bug
    proto, nodelay = asyncio.run(_accepted_nodelay(listener(True)))
    assert proto == socket.IPPROTO_TCP and nodelay != 0

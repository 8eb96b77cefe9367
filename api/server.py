"""Run the service under uvicorn, with TCP_NODELAY on every connection.

With ``--workers N`` uvicorn binds the listening socket itself with ``proto`` 0; accepted
sockets inherit it and asyncio only sets ``TCP_NODELAY`` when ``proto`` is ``IPPROTO_TCP``. Nagle's
algorithm then holds each response's body until the client's delayed ACK: about 40 ms added to
every keep-alive request after the first (uvicorn issue #3149, open in 0.54). ``TcpConfig``
binds the listener as TCP, so every worker's connections get ``TCP_NODELAY``.
"""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

APP = "api.app:create_app"


class TcpConfig(uvicorn.Config):
    """uvicorn's ``Config`` whose pre-bound listener reports ``IPPROTO_TCP``."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        return tcp_listener(sock)


def tcp_listener(sock: socket.socket) -> socket.socket:
    """The same listening socket, told it is TCP (so asyncio sets TCP_NODELAY on accepts)."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto == socket.IPPROTO_TCP:
        return sock
    fixed = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    fixed.set_inheritable(True)
    return fixed


def run_service(
    host: str, port: int, workers: int = 1, log_level: str = "info", app: str = APP
) -> None:
    """Serve ``app`` (an import string of an app factory) on ``host:port`` with ``workers``."""
    config = TcpConfig(
        app, factory=True, host=host, port=port, workers=workers, log_level=log_level
    )
    if workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()

"""Loopback-only network guard for the test suite.

Why: a test that forgot to point a client at a stand-in server would otherwise try to
reach discord.com / slack.com, hang on DNS or TCP retries, and (worse) send traffic off
the machine. With the guard installed, such a mistake fails immediately with a clear
``OSError("blocked by test network guard: <addr>")``.

Allowed: 127.0.0.0/8, ::1 (and IPv4-mapped ::ffff:127.x), the name ``localhost``,
passive/bind lookups (host ``None``, ``""``, ``0.0.0.0``, ``::``) and unix sockets.
"""

from __future__ import annotations

import asyncio
import asyncio.base_events
import asyncio.selector_events
import errno
import ipaddress
import socket
from typing import Any

import pytest

__all__ = ["BLOCK_MESSAGE", "NetworkGuardError", "install_loopback_guard", "is_loopback_host"]

BLOCK_MESSAGE = "blocked by test network guard"

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost", "ip6-loopback"})
# Lookups used to *bind* a listening socket, never to reach a remote host.
_PASSIVE_HOSTS = frozenset({"", "0.0.0.0", "::"})


def is_loopback_host(host: Any) -> bool:
    """True if ``host`` (name, IP string or bytes) is on this machine's loopback."""
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").lower()
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    name = name.split("%", 1)[0]  # drop an IPv6 zone id
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


class NetworkGuardError(PermissionError):
    """Raised for a blocked lookup/connect.

    Carries errno EACCES and the message as ``strerror`` so wrappers that only print
    ``strerror`` (aiohttp's "Cannot connect to host ... [<strerror>]") still show it.
    """


def _blocked(what: Any) -> OSError:
    return NetworkGuardError(errno.EACCES, f"{BLOCK_MESSAGE}: {what!r}")


def _check_lookup(host: Any) -> None:
    if host is None:
        return
    text = host.decode("ascii", "replace") if isinstance(host, bytes) else host
    if isinstance(text, str) and text in _PASSIVE_HOSTS:
        return
    if not is_loopback_host(host):
        raise _blocked(host)


def _check_address(sock_family: int, address: Any) -> None:
    """Unix sockets pass; inet addresses must be loopback."""
    if sock_family == getattr(socket, "AF_UNIX", object()):
        return
    if isinstance(address, (str, bytes)):  # unix path given to a non-unix socket: let the OS decide
        return
    if isinstance(address, tuple) and address and is_loopback_host(address[0]):
        return
    raise _blocked(address)


def install_loopback_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Patch DNS and connect entry points so only loopback/unix targets are reachable.

    Meant for an autouse fixture: ``install_loopback_guard(monkeypatch)``; pytest's
    monkeypatch undoes everything at teardown.
    """
    real_getaddrinfo = socket.getaddrinfo
    real_gethostbyname = socket.gethostbyname
    real_gethostbyname_ex = socket.gethostbyname_ex
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_loop_getaddrinfo = asyncio.base_events.BaseEventLoop.getaddrinfo
    real_create_connection = asyncio.base_events.BaseEventLoop.create_connection
    real_sock_connect = asyncio.selector_events.BaseSelectorEventLoop.sock_connect

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        _check_lookup(host)
        return real_getaddrinfo(host, *args, **kwargs)

    def guarded_gethostbyname(host: str) -> str:
        _check_lookup(host)
        return real_gethostbyname(host)

    def guarded_gethostbyname_ex(host: str) -> Any:
        _check_lookup(host)
        return real_gethostbyname_ex(host)

    def guarded_connect(self: socket.socket, address: Any) -> None:
        _check_address(self.family, address)
        return real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        _check_address(self.family, address)
        return real_connect_ex(self, address)

    async def guarded_loop_getaddrinfo(self: Any, host: Any, *args: Any, **kwargs: Any) -> Any:
        # Fail before the lookup is shipped to the executor thread.
        _check_lookup(host)
        return await real_loop_getaddrinfo(self, host, *args, **kwargs)

    async def guarded_create_connection(
        self: Any, protocol_factory: Any, host: Any = None, *args: Any, **kwargs: Any
    ) -> Any:
        if host is not None:
            _check_lookup(host)
        return await real_create_connection(self, protocol_factory, host, *args, **kwargs)

    async def guarded_sock_connect(self: Any, sock: socket.socket, address: Any) -> None:
        _check_address(sock.family, address)
        return await real_sock_connect(self, sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    monkeypatch.setattr(socket, "gethostbyname", guarded_gethostbyname)
    monkeypatch.setattr(socket, "gethostbyname_ex", guarded_gethostbyname_ex)
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(asyncio.base_events.BaseEventLoop, "getaddrinfo", guarded_loop_getaddrinfo)
    monkeypatch.setattr(
        asyncio.base_events.BaseEventLoop, "create_connection", guarded_create_connection
    )
    monkeypatch.setattr(
        asyncio.selector_events.BaseSelectorEventLoop, "sock_connect", guarded_sock_connect
    )

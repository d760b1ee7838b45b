"""The proxy the bot reaches the Bot API through: the config's ``proxy`` key, else the standard variables.

Telegram cannot be reached directly from many networks (mainland China's among
them), so every Bot API call, long polling included, can go through an HTTP,
HTTPS or SOCKS5 proxy.  The config key wins over ``HTTPS_PROXY``/``ALL_PROXY``
(``HTTP_PROXY`` for a plain ``http://`` Bot API server); ``NO_PROXY`` is honoured
for the variables.  A URL that cannot work fails here, before any connection, with
one line naming where it came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

CONFIG_KEY = "proxy"
SCHEMES = ("http", "https", "socks5", "socks5h")
DEFAULT_API = "https://api.telegram.org"


class ProxyURLError(ValueError):
    """The proxy URL cannot work; the message says why in one line."""


@dataclass(frozen=True)
class Proxy:
    """A proxy in effect and where it was set (``config key 'proxy'`` or ``$HTTPS_PROXY``)."""

    url: str
    source: str

    @property
    def display(self) -> str:
        """The URL without its password, for logs and messages."""
        return redacted(self.url)


def redacted(url: str) -> str:
    """``socks5://user:***@host:1080``: the URL with its password hidden."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if _port(parts) else "")
    return parts._replace(netloc=netloc).geturl()


def _port(parts: SplitResult) -> int | None:
    try:
        return parts.port
    except ValueError:
        return -1


def check_proxy_url(url: str, source: str) -> str:
    """Return ``url`` if it can be used as a proxy, else raise :class:`ProxyURLError` naming ``source``.

    Args:
        url: e.g. ``http://user:pass@10.0.0.1:3128`` or ``socks5://127.0.0.1:1080``.
        source: what the message names, e.g. ``config key 'proxy'``.
    """
    parts = urlsplit(url)
    shown = redacted(url)
    if parts.scheme.lower() not in SCHEMES:
        raise ProxyURLError(
            f"{source} must be an http://, https://, socks5:// or socks5h:// URL with a host and port, not {shown!r}"
        )
    if not parts.hostname:
        raise ProxyURLError(f"{source} has no host: {shown!r} (e.g. socks5://127.0.0.1:1080)")
    port = _port(parts)
    if port is not None and not 0 < port < 65536:
        raise ProxyURLError(f"{source} has an invalid port: {shown!r}")
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        raise ProxyURLError(f"{source} must be only scheme://[user:password@]host:port, not {shown!r}")
    return url


def _environment(environ: Mapping[str, str], name: str) -> str:
    return (environ.get(name.lower()) or environ.get(name.upper()) or "").strip()


def _bypassed(host: str, no_proxy: str) -> bool:
    """``NO_PROXY`` as curl reads it: ``*``, or host names and domain suffixes, comma-separated."""
    for item in (part.strip().lower().lstrip(".") for part in no_proxy.split(",")):
        if item == "*" or (item and (host == item or host.endswith("." + item))):
            return True
    return False


def proxy_in_effect(configured: str, base_url: str, environ: Mapping[str, str]) -> Proxy | None:
    """The proxy for the Bot API at ``base_url`` (empty: Telegram's), checked.

    Raises:
        ProxyURLError: the proxy URL (from the config or the environment) cannot work.
    """
    if configured:
        return Proxy(check_proxy_url(configured, f"config key '{CONFIG_KEY}'"), f"config key '{CONFIG_KEY}'")
    target = urlsplit(base_url or DEFAULT_API)
    host = target.hostname or ""
    if _bypassed(host, _environment(environ, "no_proxy")):
        return None
    names = ("https_proxy", "all_proxy") if target.scheme == "https" else ("http_proxy", "all_proxy")
    for name in names:
        if value := _environment(environ, name):
            source = f"${name.upper()}"
            return Proxy(check_proxy_url(value, source), source)
    return None

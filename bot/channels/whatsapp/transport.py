"""Where pywa's requests go: the Graph API host, or another one (a proxy, the tests' emulator)."""

from __future__ import annotations

import httpx

PRODUCTION_GRAPH_URL = "https://graph.facebook.com"


class RewritingTransport(httpx.AsyncBaseTransport):
    """Sends every request to `base_url`'s host, whatever host the client asked for.

    pywa hard-codes graph.facebook.com and media URLs point at Meta's CDN; a deployment behind a
    proxy, or the tests' Graph API emulator, needs both to go elsewhere.
    """

    def __init__(self, base_url: str, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._base = httpx.URL(base_url)
        self._prefix = self._base.path.rstrip("/")
        self._inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(
            scheme=self._base.scheme,
            host=self._base.host,
            port=self._base.port,
            path=self._prefix + request.url.path,
        )
        request.headers["Host"] = request.url.netloc.decode("ascii")
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def graph_session(graph_api_base_url: str, timeout: float) -> httpx.AsyncClient:
    base = graph_api_base_url.rstrip("/")
    transport = RewritingTransport(base) if base != PRODUCTION_GRAPH_URL else None
    return httpx.AsyncClient(transport=transport, timeout=timeout)

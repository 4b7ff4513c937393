"""Response headers every response gets: no caching of personal data, a CSP on every page.

dagrute's API answers carry health-related personal data (who attends a day centre, where
they live, that they use a wheelchair). ``SecurityHeaders`` adds, where the route did not set
its own:

- ``Cache-Control: no-store`` on every ``/v1/`` response, so that no browser, proxy or disk
  cache keeps a copy (the page's static assets, outside ``/v1/``, keep their caching);
- a ``Content-Security-Policy`` on every HTML response: :data:`INERT_HTML_POLICY` (inline
  CSS and images, nothing loaded or run) unless the route set its own (the dispatcher page)
  or it is one of the API documentation pages (:data:`DOCS_POLICY`: scripts from this
  service only, no third-party host);
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer`` everywhere.

Written as a plain ASGI middleware, as the service's others are (:mod:`app.errors`): it
only rewrites the header list of ``http.response.start``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

INERT_HTML_POLICY: Final = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
"""HTML that is inline CSS and SVG only (manifests, scenario reports): it may load and run
nothing, and no other site may frame it."""

DOCS_POLICY: Final = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
"""Swagger UI and ReDoc, served from this service's own copies: their one inline start-up
script, ReDoc's blob worker, and nothing from any other host."""

DOCS_PATHS: Final = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
"""The API documentation pages."""

NO_STORE_PREFIX: Final = "/v1/"
"""Responses under this path may hold personal data: never stored by any cache."""


def _names(headers: Iterable[tuple[bytes, bytes]]) -> set[bytes]:
    return {name.lower() for name, _ in headers}


def _is_html(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    return any(
        name.lower() == b"content-type" and value.lower().startswith(b"text/html")
        for name, value in headers
    )


class SecurityHeaders:
    """ASGI middleware adding the headers of the module docstring where a route set none."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the missing headers to the response's start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = _names(headers)
                if path.startswith(NO_STORE_PREFIX) and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                if _is_html(headers) and b"content-security-policy" not in present:
                    policy = DOCS_POLICY if path in DOCS_PATHS else INERT_HTML_POLICY
                    headers.append((b"content-security-policy", policy.encode()))
                if b"x-content-type-options" not in present:
                    headers.append((b"x-content-type-options", b"nosniff"))
                if b"referrer-policy" not in present:
                    headers.append((b"referrer-policy", b"no-referrer"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

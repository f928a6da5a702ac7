"""What keeps the web app safe to open: security headers, a CSRF token on every write, the host rule.

CSRF: a double-submit token. Every HTML page sets the cookie ``storyline_csrf`` (HttpOnly, SameSite=Strict)
and embeds the same value in its forms and in ``<meta name="csrf-token">``; a write must send it back (form
field ``csrf_token`` or header ``X-CSRF-Token``) and the two must match. The token is a random nonce signed
with the app's secret, so a cookie planted by someone else (a sibling site, a proxy) is refused too.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets

from fastapi import HTTPException, Request
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import JSONResponse, Response

CSRF_COOKIE = "storyline_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CSRF_REFUSED = (
    "missing or invalid CSRF token: reload the page and try again "
    f"(API clients: send the {CSRF_COOKIE} cookie and the same value in the {CSRF_HEADER} header)"
)


class CsrfGuard:
    def __init__(self, secret: str | None = None) -> None:
        self._key = (secret or secrets.token_urlsafe(32)).encode("utf-8")

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._key, nonce.encode("ascii"), hashlib.sha256).hexdigest()[:32]

    def new_token(self) -> str:
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._sign(nonce)}"

    def valid(self, token: str | None) -> bool:
        """A token this app issued (whatever its request)."""
        if not token or token.count(".") != 1 or len(token) > 200 or not token.isascii():
            return False
        nonce, signature = token.split(".")
        return hmac.compare_digest(signature, self._sign(nonce))

    def token_for(self, request: Request) -> str:
        """The token of this browser: its cookie when valid, else a new one (set by the middleware)."""
        cookie = request.cookies.get(CSRF_COOKIE)
        if self.valid(cookie):
            return str(cookie)
        token = getattr(request.state, "new_csrf_token", None)
        if token is None:
            token = request.state.new_csrf_token = self.new_token()
        return str(token)

    def check(self, request: Request, submitted: str | None) -> None:
        """Refuse (403) a write whose token is missing, forged, or not the browser's cookie."""
        cookie = request.cookies.get(CSRF_COOKIE)
        if not (
            self.valid(cookie)
            and submitted
            and hmac.compare_digest(str(cookie).encode("ascii"), submitted.encode("utf-8", "replace"))
        ):
            raise HTTPException(status_code=403, detail=CSRF_REFUSED)


class SecurityHeaders(BaseHTTPMiddleware):
    """Security headers on every response, and the CSRF cookie on every HTML page."""

    def __init__(self, app: object, guard: CsrfGuard) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.guard = guard

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.method not in SAFE_METHODS and not self.guard.valid(request.cookies.get(CSRF_COOKIE)):
            # Refused before the body is read; the route then checks the submitted token matches.
            response: Response = JSONResponse({"detail": CSRF_REFUSED}, status_code=403)
        else:
            response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if response.headers.get("content-type", "").startswith("text/html"):
            response.set_cookie(
                CSRF_COOKIE,
                self.guard.token_for(request),
                httponly=True,
                samesite="strict",
                path="/",
            )
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def is_local_host(host: str) -> bool:
    """Whether binding to ``host`` keeps the server on this machine (loopback only)."""
    if host.strip().lower() in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def safe_next(path: str | None, default: str) -> str:
    """A redirect target from a form: a path on this site only (never ``//host`` or ``scheme:``)."""
    if path and path.startswith("/") and not path.startswith(("//", "/\\")) and path.isprintable():
        return path
    return default

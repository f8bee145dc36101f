"""The installation's HTTP client for the hub: every request signed, HTTPS pinned to the
organisation's root. Network trouble is ``HubUnreachable`` (being offline is normal: the
laptop carries on); a refusal by the hub is ``HubRefused`` with the hub's one-line reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from sendobserve.errors import UserError
from sendobserve.hub import protocol, tls
from sendobserve.hub.protocol import Member, b64
from sendobserve.pki.identity import Identity


class HubUnreachable(UserError):
    """The hub could not be reached or the connection broke; nothing was lost."""


class HubRefused(UserError):
    """The hub answered, and said no."""

    def __init__(self, status: int, message: str):
        super().__init__(f"the hub refused: {message}")
        self.status = status
        self.reason = message


def check_url(url: str) -> str:
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise UserError(f"the hub's address must be https://HOST[:PORT], not {url!r}")
    if parts.path or parts.query:
        raise UserError("give the hub's address without a path (https://HOST[:PORT])")
    return url


class HubClient:
    def __init__(self, url: str, root_pem: bytes, identity: Identity, *,
                 timeout: float = 30.0) -> None:
        self.url = check_url(url)
        self.identity = identity
        self._http = httpx.Client(verify=tls.pinned_context(root_pem),
                                  timeout=httpx.Timeout(timeout, connect=10.0))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _request(self, method: str, path: str, params: Sequence[tuple[str, str]] = (),
                 body: bytes = b"", *, content_type: str = "application/json") -> httpx.Response:
        target = path + (f"?{urlencode(list(params))}" if params else "")
        headers = protocol.sign_request(self.identity, method, target, body)
        headers["content-type"] = content_type
        try:
            response = self._http.request(method, self.url + target, content=body,
                                          headers=headers)
        except httpx.TransportError as exc:
            raise HubUnreachable(f"cannot reach the hub at {self.url}: "
                                 f"{exc.__class__.__name__}: {exc}".rstrip(": "),
                                 hint="Sync again when the network is back; nothing was lost."
                                 ) from None
        if response.status_code >= 400:
            try:
                message = str(response.json().get("error", response.reason_phrase))
            except ValueError:
                message = f"HTTP {response.status_code} {response.reason_phrase}"
            if response.status_code >= 500:
                raise HubUnreachable(f"the hub is unavailable: {message}",
                                     hint="Sync again later; nothing was lost.")
            raise HubRefused(response.status_code, message)
        return response

    def _json(self, method: str, path: str, params: Sequence[tuple[str, str]] = (),
              payload: dict[str, Any] | None = None) -> dict[str, Any]:
        import json

        body = b"" if payload is None else json.dumps(payload).encode()
        response = self._request(method, path, params, body)
        try:
            value = response.json()
        except ValueError:
            raise HubUnreachable("the hub's answer was cut short or is not JSON") from None
        if not isinstance(value, dict):
            raise HubUnreachable("the hub's answer is not a JSON object")
        return value

    # -- the protocol --------------------------------------------------------------------

    def healthz(self) -> dict[str, Any]:
        try:
            response = self._http.get(self.url + "/healthz")
        except httpx.TransportError as exc:
            raise HubUnreachable(f"cannot reach the hub at {self.url}: {exc}") from None
        value = response.json()
        return value if isinstance(value, dict) else {}

    def enrol(self, name: str, exchange_key: bytes) -> dict[str, Any]:
        binding = protocol.sign_exchange_key(self.identity, exchange_key)
        return self._json("POST", "/v1/enrol", payload={
            "name": name, "exchange_key": b64(exchange_key), "binding": b64(binding)})

    def me(self) -> dict[str, Any]:
        return self._json("GET", "/v1/me")

    def installations(self) -> list[dict[str, Any]]:
        return list(self._json("GET", "/v1/installations")["installations"])

    def approve(self, statement: bytes, signature: bytes) -> dict[str, Any]:
        return self._json("POST", "/v1/approve", payload={"approval": b64(statement),
                                                          "signature": b64(signature)})

    def revoke(self, fingerprint: str) -> dict[str, Any]:
        return self._json("POST", "/v1/revoke", payload={"fingerprint": fingerprint})

    def recipients(self, trainee: str | None) -> list[Member]:
        """Approved members who may see ``trainee``; with None, every approved member."""
        query = [] if trainee is None else [("trainee", trainee)]
        members = self._json("GET", "/v1/recipients", query)["members"]
        return [Member.from_json(m) for m in members]

    def push(self, data: bytes, trainee: str | None, recipients: Sequence[str]
             ) -> dict[str, Any]:
        """Upload a bundle for ``trainee``, or (None) a control record for members."""
        sha = hashlib.sha256(data).hexdigest()
        params = [*([] if trainee is None else [("trainee", trainee)]),
                  *(("to", r) for r in recipients)]
        response = self._request("PUT", f"/v1/objects/{sha}", params, data,
                                 content_type="application/octet-stream")
        value = response.json()
        return value if isinstance(value, dict) else {}

    def pull(self, after: str, limit: int = 100) -> dict[str, Any]:
        """Routes after the cursor (``"0"``: from the start; else a ``cursor`` or ``next``
        the hub gave)."""
        return self._json("GET", "/v1/pull", [("after", after), ("limit", str(limit))])

    def fetch(self, sha256: str) -> bytes:
        data = self._request("GET", f"/v1/objects/{sha256}").content
        if hashlib.sha256(data).hexdigest() != sha256:
            raise HubUnreachable("a download was cut short or altered on the way (its SHA-256 "
                                 "does not match); it will be fetched again")
        return data

    def send_erasure(self, record: dict[str, str]) -> dict[str, Any]:
        """A signed erasure record (``pki.control``): the hub drops that trainee's
        bundles and keeps the record for every member."""
        return self._json("POST", "/v1/erasures", payload=record)

    def erasures(self, after: int) -> dict[str, Any]:
        """The erasure records the hub kept after ``after``."""
        return self._json("GET", "/v1/erasures", [("after", str(after))])

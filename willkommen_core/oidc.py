"""OpenID Connect relying party: login through the state's or municipality's identity provider.

The authorization code flow with PKCE (S256), ``state`` and ``nonce``, as
OpenID Connect Core 1.0 describes it, with Authlib's OAuth 2 client for
the authorization URL, PKCE and the token request (client secret by HTTP
Basic), and joserfc for the ID token. The provider's discovery document
(``<issuer>/.well-known/openid-configuration``) names its endpoints and
keys; it is read on first use and again after :data:`METADATA_TTL`.

An ID token counts only when its signature verifies with one of the
provider's published keys (asymmetric algorithms only, never ``none`` or
an HMAC the client secret could forge) and ``iss``, ``aud`` (and ``azp``),
``exp``, ``iat``, ``sub`` and the ``nonce`` of this login are right.
Claims from the userinfo endpoint (asked with the access token, over TLS)
are added when the provider has one; its ``sub`` must be the ID token's.
No web code here: see :mod:`willkommen_core.web.oidc`.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from .domain import ROLES
from .settings import OidcSection

METADATA_TTL = 3600.0
LEEWAY = 60
"""Seconds of clock difference to the provider that are tolerated."""
TIMEOUT = 10.0
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
"""Signature algorithms an ID token may use: the provider's keys, never a shared secret."""


class OidcError(Exception):
    """A login through the provider that failed; ``reason`` says where:

    ``unreachable`` (discovery, keys or token endpoint did not answer properly),
    ``state`` (no login of this browser is pending, or another one),
    ``denied`` (the provider sent an error back), ``token`` (the code was not
    accepted), ``id_token`` (the ID token is not valid).
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Pending:
    """What the browser's session keeps between the redirect and the callback."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    next_url: str

    def to_dict(self) -> dict[str, str]:
        return {
            "state": self.state,
            "nonce": self.nonce,
            "code_verifier": self.code_verifier,
            "redirect_uri": self.redirect_uri,
            "next_url": self.next_url,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Pending | None:
        fields = ("state", "nonce", "code_verifier", "redirect_uri", "next_url")
        if not isinstance(data, dict) or not all(isinstance(data.get(f), str) for f in fields):
            return None
        return cls(*(data[f] for f in fields))


@dataclass(frozen=True)
class Login:
    """A verified login: the person's claims and the ID token (for logging out)."""

    claims: dict[str, Any]
    id_token: str


def claim(claims: dict[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` (``realm_access.roles``), ``None`` if absent.

    A claim whose own name has dots (as some providers write them) is found too.
    """
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def mapped_role(claims: dict[str, Any], settings: OidcSection) -> str | None:
    """The role the provider's claims give, ``None`` when they give none.

    With several, the first of :data:`willkommen_core.domain.ROLES` wins.
    """
    raw = claim(claims, settings.roles_claim)
    values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    roles = {settings.role_map[v] for v in values if isinstance(v, str) and v in settings.role_map}
    return next((r for r in ROLES if r in roles), None)


def verify_id_token(
    id_token: str,
    keys: KeySet,
    *,
    issuer: str,
    client_id: str,
    nonce: str,
    algorithms: list[str],
    now: int | None = None,
) -> dict[str, Any]:
    """The claims of ``id_token`` if it is genuine and meant for this login, else :class:`OidcError`."""
    allowed = [a for a in algorithms if a in ALGORITHMS] or ["RS256"]
    try:
        token = jwt.decode(id_token, keys, algorithms=allowed)
        registry = JWTClaimsRegistry(
            now=now,
            leeway=LEEWAY,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        registry.validate(token.claims)
    except (JoseError, ValueError, TypeError) as exc:
        raise OidcError("id_token", str(exc)) from exc
    claims = dict(token.claims)
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise OidcError("id_token", "several audiences and azp is not this client")
    if "azp" in claims and claims["azp"] != client_id:
        raise OidcError("id_token", "azp is another client")
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise OidcError("id_token", "sub is not a string")
    return claims


def _key_id(id_token: str) -> str | None:
    """The ``kid`` in the token's header (unverified: only to pick the key)."""
    try:
        header = json.loads(base64.urlsafe_b64decode(id_token.split(".")[0] + "=="))
    except (ValueError, UnicodeDecodeError):
        return None
    kid = header.get("kid") if isinstance(header, dict) else None
    return kid if isinstance(kid, str) else None


class OidcClient:
    """One instance's relying party (created once per app; caches discovery and keys)."""

    def __init__(self, settings: OidcSection) -> None:
        self.settings = settings
        self._metadata: dict[str, Any] | None = None
        self._loaded_at = 0.0
        self._keys: KeySet | None = None

    @property
    def discovery_url(self) -> str:
        return f"{self.settings.issuer}/.well-known/openid-configuration"

    async def _get_json(self, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT) as http:
                response = await http.get(url, **kwargs)
                response.raise_for_status()
                data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise OidcError("unreachable", f"{url}: {exc}") from exc
        if not isinstance(data, dict):
            raise OidcError("unreachable", f"{url}: not a JSON object")
        return data

    async def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (cached)."""
        if self._metadata is None or time.monotonic() - self._loaded_at > METADATA_TTL:
            data = await self._get_json(self.discovery_url)
            if str(data.get("issuer", "")).rstrip("/") != self.settings.issuer:
                raise OidcError("unreachable", f"discovery names issuer {data.get('issuer')!r}")
            for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(data.get(key), str):
                    raise OidcError("unreachable", f"discovery has no {key}")
            self._metadata, self._loaded_at, self._keys = data, time.monotonic(), None
        return self._metadata

    async def keys(self, *, refresh: bool = False) -> KeySet:
        """The provider's signing keys (read again when a token names an unknown one)."""
        if self._keys is None or refresh:
            metadata = await self.metadata()
            data = await self._get_json(metadata["jwks_uri"])
            try:
                self._keys = KeySet.import_key_set(data)  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError, KeyError) as exc:
                raise OidcError("unreachable", f"keys: {exc}") from exc
        return self._keys

    def _client(self, redirect_uri: str) -> AsyncOAuth2Client:
        secret = self.settings.client_secret
        return AsyncOAuth2Client(
            client_id=self.settings.client_id,
            client_secret=secret.get_secret_value() if secret else None,
            scope=" ".join(self.settings.scopes),
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method name)
            timeout=TIMEOUT,
        )

    async def start(self, redirect_uri: str, next_url: str) -> tuple[str, Pending]:
        """The provider's authorization URL to send the browser to, and what to keep."""
        metadata = await self.metadata()
        pending = Pending(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            code_verifier=secrets.token_urlsafe(64),
            redirect_uri=redirect_uri,
            next_url=next_url,
        )
        async with self._client(redirect_uri) as client:
            url, _state = client.create_authorization_url(
                metadata["authorization_endpoint"],
                state=pending.state,
                nonce=pending.nonce,
                code_verifier=pending.code_verifier,
            )
        return url, pending

    async def finish(self, params: dict[str, str], pending: Pending | None) -> Login:
        """Check the provider's answer at the callback, redeem the code, verify the ID token."""
        state = params.get("state", "")
        if pending is None or not state or not secrets.compare_digest(state, pending.state):
            raise OidcError("state")
        if "error" in params:
            raise OidcError("denied", params.get("error", "")[:100])
        code = params.get("code", "")
        if not code:
            raise OidcError("token", "no code")
        metadata = await self.metadata()
        async with self._client(pending.redirect_uri) as client:
            try:
                token = await client.fetch_token(
                    metadata["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=pending.code_verifier,
                )
            except httpx.TransportError as exc:
                raise OidcError("unreachable", str(exc)) from exc
            except Exception as exc:  # Authlib's OAuthError, an HTTP error status, bad JSON
                raise OidcError("token", str(exc)) from exc
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise OidcError("id_token", "the token response has no ID token")
        claims = await self.verify(id_token, pending.nonce)
        userinfo_endpoint = metadata.get("userinfo_endpoint")
        access_token = token.get("access_token")
        if isinstance(userinfo_endpoint, str) and isinstance(access_token, str):
            info = await self._get_json(
                userinfo_endpoint, headers={"Authorization": f"Bearer {access_token}"}
            )
            if info.get("sub") != claims["sub"]:
                raise OidcError("id_token", "userinfo is about someone else")
            claims = {**info, **claims}
        return Login(claims, id_token)

    async def verify(self, id_token: str, nonce: str, *, now: int | None = None) -> dict[str, Any]:
        """:func:`verify_id_token` with the provider's keys (read again once for a new key)."""
        metadata = await self.metadata()
        algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        kwargs: dict[str, Any] = {
            "issuer": metadata["issuer"],
            "client_id": self.settings.client_id,
            "nonce": nonce,
            "algorithms": list(algorithms),
            "now": now,
        }
        keys = await self.keys()
        kid = _key_id(id_token)
        if kid is not None and kid not in {k.kid for k in keys.keys}:
            keys = await self.keys(refresh=True)  # the provider rotated its keys
        return verify_id_token(id_token, keys, **kwargs)

    async def logout_url(self, id_token: str, post_logout_redirect_uri: str) -> str | None:
        """Where to end the session at the provider too (RP-initiated logout), if it can."""
        if not self.settings.logout_at_provider:
            return None
        try:
            metadata = await self.metadata()
        except OidcError:
            return None
        endpoint = metadata.get("end_session_endpoint")
        if not isinstance(endpoint, str):
            return None
        query = httpx.QueryParams(
            {
                "id_token_hint": id_token,
                "post_logout_redirect_uri": post_logout_redirect_uri,
                "client_id": self.settings.client_id,
            }
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

"""Property tests: for any claim tree and any choice, exactly the chosen claims come out,
and nothing of the rest is in the bytes sent."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wallet_core import WalletError
from wallet_core.crypto import generate
from wallet_core.formats import sd_jwt
from wallet_core.formats.disclosures import b64url_decode

ISSUER = generate("ES256")
HOLDER = generate("ES256")
NOW = 1_800_000_000
Path = tuple[Any, ...]

names = st.text("abcdefghijklmnopqrstuvwxyzé_", min_size=1, max_size=6).filter(
    lambda n: n not in ("_sd", "...", "_sd_alg", "cnf", "exp", "nbf", "iat")
)


@st.composite
def claim_trees(draw: st.DrawFn) -> dict[str, Any]:
    counter = iter(range(10_000))

    def leaf() -> st.SearchStrategy[Any]:
        # unique string leaves make any leak findable; plus other JSON types
        return st.one_of(
            st.builds(lambda: f"value-{next(counter):04d}"),
            st.integers(-5, 10**9),
            st.booleans(),
            st.none(),
        )

    tree = st.recursive(
        leaf(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(names, inner, max_size=4),
        ),
        max_leaves=14,
    )
    return draw(st.dictionaries(names, tree, min_size=1, max_size=5))


def all_paths(value: Any, path: Path = ()) -> list[Path]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += all_paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += all_paths(child, (*path, index))
    return found


def is_prefix(short: Path, long: Path) -> bool:
    return long[: len(short)] == short


def expected(value: Any, disclosable: set[Path], chosen: list[Path], path: Path = ()) -> Any:
    """An independent model of what a verifier must see."""

    def kept(p: Path) -> bool:
        return p not in disclosable or any(is_prefix(c, p) or is_prefix(p, c) for c in chosen)

    if isinstance(value, dict):
        return {
            k: expected(v, disclosable, chosen, (*path, k))
            for k, v in value.items()
            if kept((*path, k))
        }
    if isinstance(value, list):
        return [
            expected(v, disclosable, chosen, (*path, i))
            for i, v in enumerate(value)
            if kept((*path, i))
        ]
    return value


def leaves(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [leaf for child in value.values() for leaf in leaves(child)]
    if isinstance(value, list):
        return [leaf for child in value for leaf in leaves(child)]
    return [value] if isinstance(value, str) else []


def readable(presentation: str) -> str:
    """Everything a verifier can decode from the presentation."""
    jwt, *disclosures, _kb = presentation.split("~")
    parts = [b64url_decode(jwt.split(".")[1]).decode()]
    parts += [b64url_decode(d).decode() for d in disclosures]
    return "\n".join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_exactly_the_chosen_claims_are_revealed(data: st.DataObject) -> None:
    claims = data.draw(claim_trees())
    paths = all_paths(claims)
    disclosable = set(data.draw(st.lists(st.sampled_from(paths), unique=True)))
    chosen = data.draw(st.lists(st.sampled_from(paths), max_size=4, unique=True))
    decoys = data.draw(st.integers(0, 3))

    issued = sd_jwt.issue(
        claims,
        sorted(disclosable, key=repr),
        issuer_key=ISSUER,
        holder_jwk=HOLDER.public_jwk,
        decoys=decoys,
    )
    presentation = sd_jwt.present(
        issued, chosen, HOLDER, aud="https://v.example", nonce="n", iat=NOW
    )
    verified = sd_jwt.verify(presentation, ISSUER.public_jwk, "https://v.example", "n", now=NOW)
    verified.pop("cnf")
    want = expected(claims, disclosable, chosen)
    assert verified == want

    visible_text = readable(presentation)
    for value in set(leaves(claims)) - set(leaves(want)):
        assert json.dumps(value) not in visible_text

    # the holder's own view has everything
    assert sd_jwt.parse_stored(issued).claims | {} == {
        **claims,
        "cnf": {"jwk": dict(HOLDER.public_jwk)},
    }


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_raises_only_wallet_errors(text: str) -> None:
    with contextlib.suppress(WalletError):
        sd_jwt.verify(text, ISSUER.public_jwk, now=NOW)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_sd_jwt_raises_only_wallet_errors(data: st.DataObject) -> None:
    base = sd_jwt.issue(
        {"a": {"b": [1, 2, {"c": "x"}]}, "d": "e"},
        [("a",), ("a", "b", 1), ("a", "b", 2, "c"), ("d",)],
        issuer_key=ISSUER,
        holder_jwk=HOLDER.public_jwk,
    )
    text = sd_jwt.present(base, [("a",)], HOLDER, aud="x", nonce="y", iat=NOW)
    position = data.draw(st.integers(0, len(text) - 1))
    replacement = data.draw(st.text(max_size=3))
    cut = data.draw(st.integers(0, 2))
    mutated = text[:position] + replacement + text[position + cut :]
    try:
        sd_jwt.verify(mutated, ISSUER.public_jwk, "x", "y", now=NOW)
        sd_jwt.parse_stored(mutated)
    except WalletError:
        pass


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
        ),
        max_leaves=10,
    )
)
def test_arbitrary_json_payloads_and_disclosures(payload: Any) -> None:
    """Signed but hostile structure (the issuer key is right, the content is not)."""
    from wallet_core.crypto import sign_compact
    from wallet_core.formats.disclosures import b64url

    body = payload if isinstance(payload, dict) else {"_sd": payload}
    jwt = sign_compact({"typ": "dc+sd-jwt"}, body, ISSUER)
    disclosure = b64url(json.dumps(payload).encode())
    for text in (f"{jwt}~", f"{jwt}~{disclosure}~"):
        with contextlib.suppress(WalletError):
            sd_jwt.verify(text, ISSUER.public_jwk, now=NOW)

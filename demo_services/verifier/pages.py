"""HTML of the verifier's pages: the check page (QR), the result, offline upload, errors.

Server-rendered, no scripts (the CSP forbids them); every dynamic value goes through
``html.escape``. Dutch first, English beneath. The result area on the check page is an
``iframe`` of the result page, which reloads itself every two seconds with
``<meta http-equiv="refresh">`` until the transaction is finished: polling without
JavaScript. The frame is same-origin, which the pages' CSP allows (``frame-src 'self'``,
``frame-ancestors 'self'``) and nothing else.
"""

from __future__ import annotations

import json
import time
from html import escape
from typing import Any

from demo_services.verifier.context import Verifier
from demo_services.verifier.query import LABELS, OPTIONAL_CLAIMS, REQUESTED
from demo_services.verifier.state import OfflineCheck, Proven, Transaction
from demo_services.wallet_link import open_in_wallet

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f5f5f2;
color:#20242a}
header{background:#37474F;color:#fff;padding:1rem 2rem}
header h1{font-size:1.4rem;margin:0}
main{max-width:60rem;margin:0 auto;padding:1.5rem}
.en{color:#5f6b70;font-size:.9em}
.small{font-size:.85em}
.panel{background:#fff;border-radius:12px;padding:1.2rem;margin:1rem 0;
box-shadow:0 1px 3px rgba(0,0,0,.15)}
.qr{display:flex;gap:1.5rem;flex-wrap:wrap;align-items:flex-start}
.qr img{image-rendering:pixelated;max-width:100%}
.button{display:inline-block;padding:.5rem .9rem;border-radius:8px;background:#37474F;color:#fff;
font-weight:600;text-decoration:none;border:0;cursor:pointer;font-size:1rem}
textarea{width:100%;font-family:ui-monospace,monospace;font-size:.8em}
table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;font-size:.9em;vertical-align:top}
.badge{display:inline-block;padding:.3rem .7rem;border-radius:8px;font-weight:700}
.ok{background:#C8E6C9;color:#1B5E20}.bad{background:#FFCDD2;color:#B71C1C}
.wait{background:#FFF9C4;color:#6D5D00}
iframe{width:100%;height:26rem;border:0}
code{font-size:.85em;word-break:break-all}
"""

# status -> (css class, nl, en)
_STATUS_TEXT: dict[str, tuple[str, str, str]] = {
    "pending": ("wait", "Wachten op de wallet…", "Waiting for the wallet…"),
    "request_fetched": ("wait", "De wallet heeft het verzoek opgehaald…", "Request fetched…"),
    "verified": ("ok", "Geverifieerd", "Verified"),
    "revoked": ("bad", "Ingetrokken door de uitgever", "Revoked by the issuer"),
    "suspended": ("bad", "Tijdelijk geschorst", "Suspended"),
    "status_unknown": ("bad", "Status onbekend — niet geverifieerd", "Status unknown"),
    "declined": ("bad", "Geweigerd door de houder", "Declined by the holder"),
    "wallet_error": ("bad", "De wallet meldde een fout", "The wallet reported an error"),
    "failed": ("bad", "Mislukt — te veel ongeldige antwoorden", "Failed"),
}


def layout(title: str, body: str, *, refresh: int | None = None, bare: bool = False) -> str:
    meta = f"<meta http-equiv='refresh' content='{refresh}'>" if refresh else ""
    head = (
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"{meta}<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
    )
    if bare:
        return f"{head}{body}</body></html>"
    return (
        f"{head}<header><h1>{escape(title)}</h1>"
        "<div class='small'>Werkgever Demo &middot; demo-verifier</div></header>"
        f"<main>{body}</main></body></html>"
    )


def error_page(title: str, message: str) -> str:
    return layout(title, f"<div class='panel'><p>{escape(message)}</p></div>")


# -- the check page -----------------------------------------------------------------------


def home_page(
    verifier: Verifier,
    cross: Transaction,
    cross_link: str,
    qr: str,
    same_link: str,
    method: str,
) -> str:
    badge = cross.query != "microcredential"
    opened = open_in_wallet(same_link, verifier.settings.wallet_url, "request")
    asked = "".join(
        f"<li>{escape(LABELS[name][0])} <span class='en'>({escape(LABELS[name][1])})</span>"
        + (" — <i>optioneel / optional</i>" if name in OPTIONAL_CLAIMS else "")
        + "</li>"
        for name in REQUESTED
    )
    if badge:
        asked = (
            f"<li>Open Badge 3.0 ({escape(_BADGE_FORMATS.get(cross.query, ''))}), "
            "<span class='en'>the whole badge</span></li>"
        )
    result_src = verifier.url(f"/result/{cross.id}?key={cross.view_key}&embed=1")
    heading = (
        ("Controleer een Open Badge", "Check an Open Badge")
        if badge
        else ("Controleer een microcredential", "Check a micro-credential")
    )
    body = (
        f"<div class='panel'><h2>{heading[0]}</h2>"
        f"<div class='en'>{heading[1]}</div>"
        "<div class='qr'>"
        f"<img src='{escape(qr)}' alt='QR-code van het verzoek / request QR code'>"
        "<div><p>Scan de QR-code met je wallet om te laten zien:<br>"
        "<span class='en'>Scan the QR code with your wallet to show:</span></p>"
        f"<ul>{asked}</ul>"
        f"<p><a class='button' id='open-in-wallet' href='{escape(opened)}'>"
        "Open in wallet op dit apparaat</a>"
        "<br><span class='small en'>Open in the wallet on this device (same-device flow; "
        "you come back here afterwards)</span></p></div></div>"
        "<label class='small' for='link'>Link van de QR-code / QR code link:</label>"
        f"<textarea id='link' rows='4' readonly>{escape(cross_link)}</textarea>"
        f"{_mode_panel(verifier, cross, method)}</div>"
        "<div class='panel'><h2>Resultaat / Result</h2>"
        f"<iframe src='{escape(result_src)}' title='resultaat / result'></iframe></div>"
        "<p class='small'>"
        f"<a href='{escape(verifier.url('/'))}'>Nieuwe controle / New check</a> &middot; "
        f"<a href='{escape(verifier.url('/offline'))}'>Offline QR controleren / "
        "Check an offline QR</a> &middot; "
        f"{_query_links(verifier)}</p>"
    )
    return layout("Werkgever Demo — microcredential controleren", body)


_BADGE_FORMATS = {
    "openbadge": "jwt_vc_json / ldp_vc",
    "openbadge_jwt": "jwt_vc_json",
    "openbadge_ldp": "ldp_vc",
}


def _query_links(verifier: Verifier) -> str:
    links = [("microcredential", "/"), ("Open Badge", "/?query=openbadge")]
    links += [(f"Open Badge ({fmt})", f"/?query={q}") for q, fmt in _BADGE_FORMATS.items()][1:]
    return " &middot; ".join(
        f"<a href='{escape(verifier.url(path))}'>{escape(label)}</a>" for label, path in links
    )


def _mode_panel(verifier: Verifier, transaction: Transaction, method: str) -> str:
    settings = verifier.settings
    rows = [
        ("client_id", f"<code>{escape(transaction.client_id)}</code>"),
        ("response_mode", escape(settings.response_mode)),
    ]
    if settings.signed:
        choices = " | ".join(
            f"<b>{m}</b>"
            if m == method
            else f"<a href='{escape(verifier.url('/?method=' + m))}'>{m}</a>"
            for m in ("get", "post")
        )
        rows.append(("request_uri_method", choices))
        ca = escape(verifier.url("/ca.pem"))
        rows.append(
            (
                "trust anchor",
                f"<a href='{ca}'>ca.pem</a> — je wallet moet deze CA vertrouwen / "
                "your wallet must trust this CA",
            )
        )
    else:
        rows.append(("request", "unsigned, by value (redirect_uri: cannot be signed)"))
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<table class='small'>{cells}</table>"


# -- results ------------------------------------------------------------------------------


def result_page(
    verifier: Verifier, transaction: Transaction, *, show_claims: bool, embed: bool
) -> str:
    css, nl, en = _STATUS_TEXT[transaction.status]
    parts = [f"<p><span class='badge {css}'>{escape(nl)}</span> <span class='en'>{escape(en)}"]
    parts.append("</span></p>")
    if transaction.wallet_error is not None:
        error = transaction.wallet_error
        parts.append(
            f"<p class='small'>error: <code>{escape(error.error)}</code> "
            f"{escape(error.description)}</p>"
        )
    if transaction.result is not None:
        if show_claims:
            parts.append(proven_html(transaction.result))
        else:
            parts.append(
                "<p>Open de link die je wallet je gaf om het resultaat te zien.<br>"
                "<span class='en'>Open the link your wallet sent you to see the result "
                "(same-device flow: the result needs its response code).</span></p>"
            )
    if transaction.errors and show_claims:
        items = "".join(
            f"<li>{_time(e.at)} <code>{escape(e.error)}</code> {escape(e.description)}</li>"
            for e in transaction.errors[-5:]
        )
        parts.append(
            "<p class='small'>Geweigerde antwoorden / Rejected responses:</p>"
            f"<ul class='small'>{items}</ul>"
        )
    refresh = None if transaction.final else 2
    body = "".join(parts)
    if embed:
        return layout("Resultaat / Result", body, refresh=refresh, bare=True)
    body = (
        f"<div class='panel'>{body}</div><p class='small'>"
        f"<a href='{escape(verifier.url('/'))}'>Nieuwe controle / New check</a></p>"
    )
    return layout("Werkgever Demo — resultaat", body, refresh=refresh)


def proven_html(proven: Proven) -> str:
    rows = []
    for name in REQUESTED:
        if name in proven.requested:
            label = f"{LABELS[name][0]} <span class='en'>/ {LABELS[name][1]}</span>"
            rows.append(f"<tr><th>{label}</th><td>{_value(proven.requested[name])}</td></tr>")
    for name in proven.unrequested:
        rows.append(
            f"<tr><th>{escape(name)} <span class='en'>(niet gevraagd / not asked)</span></th>"
            f"<td>{_value(proven.claims.get(name))}</td></tr>"
        )
    facts = [
        ("Uitgever / Issuer", escape(proven.issuer or "-")),
        ("Type (vct)", f"<code>{escape(proven.vct)}</code>"),
        ("Status", escape(proven.status) + _detail(proven.status_detail)),
        ("Gecontroleerd / Checked", _time(proven.verified_at)),
    ]
    rows += [f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in facts]
    return f"<table>{''.join(rows)}</table>"


def _detail(detail: str | None) -> str:
    return f" <span class='small'>({escape(detail)})</span>" if detail else ""


def _value(value: Any) -> str:
    if isinstance(value, str):
        return escape(value)
    return f"<code>{escape(json.dumps(value, ensure_ascii=False))}</code>"


def _time(moment: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(moment))


# -- offline ------------------------------------------------------------------------------


def offline_page(
    verifier: Verifier,
    latest: OfflineCheck | None = None,
    *,
    challenge: tuple[str, str] | None = None,
) -> str:
    """``challenge`` is (its text, its QR as a data URI): shown first, for the holder."""
    audiences = "".join(f"<li><code>{escape(a)}</code></li>" for a in verifier.offline_audiences)
    outcome = ""
    if latest is not None:
        outcome = f"<div class='panel'><h2>Resultaat / Result</h2>{offline_result(latest)}</div>"
    history = "".join(
        f"<tr><td>{_time(c.at)}</td><td>{'✔' if c.ok else '✘'}</td>"
        f"<td>{escape(_summary(c))}</td></tr>"
        for c in reversed(verifier.state.offline_checks[-20:])
    )
    target = escape(verifier.url("/offline"))
    minutes = max(1, round(verifier.settings.kb_max_age / 60))
    asked = ""
    if challenge is not None:
        text, image = challenge
        asked = (
            "<div class='panel'><h2>1. Uitdaging / Challenge</h2>"
            "<p>Laat de houder eerst deze code scannen, dan is de QR-code alleen voor ons en "
            "voor nu geldig.<br><span class='en'>Have the holder scan this code first: their "
            "QR code is then good for us, and for now, only.</span></p>"
            f"<div class='qr'><img src='{escape(image)}' alt='Uitdaging / challenge QR'></div>"
            f"<textarea id='challenge' rows='2' readonly>{escape(text)}</textarea></div>"
        )
    body = (
        f"{outcome}{asked}<div class='panel'><h2>Offline QR controleren</h2>"
        "<div class='en'>Check an offline presentation QR code</div>"
        "<p>Laat de houder de QR-code uit de wallet tonen, maak een foto of screenshot en "
        "upload die hier.<br><span class='en'>Have the holder show the QR code from the "
        "wallet, take a photo or screenshot and upload it here.</span></p>"
        f"<form method='post' action='{target}' enctype='multipart/form-data'>"
        f"<input type='hidden' name='csrf' value='{escape(verifier.page_csrf)}'>"
        "<p><input type='file' name='image' accept='image/*'></p>"
        "<p class='small'>of plak de presentatie / or paste the presentation:</p>"
        "<textarea name='text' rows='3'></textarea>"
        "<p><button class='button' type='submit'>Controleren / Check</button></p></form>"
        "<p class='small'>Geaccepteerde audience (<code>aud</code>) / accepted audiences:</p>"
        f"<ul class='small'>{audiences}</ul>"
        f"<p class='small'>De presentatie mag hooguit {minutes} minuten oud zijn en elke "
        "nonce wordt maar één keer geaccepteerd.<br><span class='en'>At most "
        f"{minutes} minutes old; each nonce "
        "is accepted once.</span></p></div>"
        + (
            f"<div class='panel'><h2>Eerder / Earlier</h2><table>{history}</table></div>"
            if history
            else ""
        )
        + f"<p class='small'><a href='{escape(verifier.url('/'))}'>&larr; Online controle / "
        "Online check</a></p>"
    )
    return layout("Werkgever Demo — offline", body)


def offline_result(check: OfflineCheck) -> str:
    if check.result is not None:
        css, nl, en = _STATUS_TEXT[check.result.outcome]
        bound = (
            "<p class='small challenged'>✔ Antwoord op onze uitdaging / answers our challenge</p>"
            if check.challenged
            else "<p class='small'>Zonder onze uitdaging gemaakt / made without our challenge</p>"
        )
        return (
            f"<p><span class='badge {css}'>{escape(nl)}</span> <span class='en'>{escape(en)}"
            f"</span></p>{bound}{proven_html(check.result)}"
        )
    assert check.error is not None
    return (
        "<p><span class='badge bad'>Niet geverifieerd</span> <span class='en'>Not verified"
        f"</span></p><p class='small'><code>{escape(check.error.error)}</code> "
        f"{escape(check.error.description)}</p>"
    )


def _summary(check: OfflineCheck) -> str:
    if check.result is not None:
        title = check.result.requested.get("title") or check.result.claims.get("title")
        return f"{check.result.outcome}: {title or check.result.vct}"
    return check.error.description if check.error else ""

"""HTML of the issuer's web pages: catalog, offer (QR), login, errors.

Plain server-rendered HTML without scripts (the pages' CSP forbids them); every dynamic
value goes through ``html.escape``. Dutch first, English beneath, like the institution's
own site would be.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from html import escape
from urllib.parse import urlencode, urlsplit

from demo_services.issuer.catalog import DEMO_PASSWORD, DEMO_STUDENT, Offering
from demo_services.issuer.context import Issuer
from demo_services.issuer.state import Issuance, LoginSession, Offer
from demo_services.wallet_link import open_in_wallet

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f4f6f7;
color:#1c2529}
header{background:#00695C;color:#fff;padding:1rem 2rem;display:flex;align-items:center;gap:1rem}
header img{width:48px;height:48px;border-radius:8px;background:#fff}
header h1{font-size:1.4rem;margin:0}
main{max-width:60rem;margin:0 auto;padding:1.5rem}
.en{color:#5f6b70;font-size:.9em}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(17rem,1fr));gap:1rem}
.card{border-radius:12px;padding:1rem;box-shadow:0 1px 3px rgba(0,0,0,.2)}
.card h2{font-size:1.1rem;margin:.2rem 0 .5rem}
.card a{color:inherit}
.card a.button{color:#1c2529}
.button{display:inline-block;padding:.5rem .9rem;border-radius:8px;background:#fff;color:#00695C;
font-weight:600;text-decoration:none;border:0;cursor:pointer;font-size:1rem}
.button.secondary{background:#e0e0e0;color:#1c2529}
.small{font-size:.85em}
table{border-collapse:collapse;width:100%;background:#fff}
td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;font-size:.9em;vertical-align:top}
.panel{background:#fff;border-radius:12px;padding:1.2rem;margin:1rem 0;
box-shadow:0 1px 3px rgba(0,0,0,.15)}
.qr{display:flex;gap:1.5rem;flex-wrap:wrap;align-items:flex-start}
.qr img{image-rendering:pixelated;max-width:100%}
.code{font-size:2.2rem;letter-spacing:.4rem;font-family:ui-monospace,monospace;font-weight:700}
textarea{width:100%;font-family:ui-monospace,monospace;font-size:.8em}
label{display:block;margin:.6rem 0 .2rem}
input[type=text],input[type=password]{padding:.5rem;font-size:1rem;width:16rem}
.error{color:#b71c1c;font-weight:600}
form.inline{display:inline}
"""


def layout(issuer: Issuer, title: str, body: str) -> str:
    logo = escape(issuer.url("/static/logo.png"))
    return (
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<header><img src='{logo}' alt=''><div><h1>{escape(title)}</h1>"
        "<div class='small'>Hogeschool Demo &middot; demo-uitgever / demo issuer</div></div>"
        f"</header><main>{body}</main></body></html>"
    )


def error_page(title: str, message: str) -> str:
    return (
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body><main>"
        f"<div class='panel'><h1>{escape(title)}</h1><p>{escape(message)}</p></div>"
        "</main></body></html>"
    )


# -- home -------------------------------------------------------------------------------


def home_page(issuer: Issuer) -> str:
    settings = issuer.settings
    mode = "OpenID4VCI 1.0" if not settings.draft13 else "OpenID4VCI draft 13"
    deferred = "aan / on" if settings.deferred else "uit / off"
    cards = "".join(_card(issuer, offering) for offering in issuer.catalog.values())
    links = " &middot; ".join(
        f"<a href='{escape(issuer.url(path))}'>{escape(label)}</a>"
        for path, label in (
            ("/.well-known/openid-credential-issuer", "issuer metadata"),
            ("/.well-known/oauth-authorization-server", "AS metadata"),
            ("/.well-known/jwt-vc-issuer", "jwt-vc-issuer"),
            ("/types/microcredential", "type metadata"),
            ("/status/1", "status list"),
            ("/.well-known/did.json", "did:web"),
            ("/status/bitstring/1", "bitstring status list"),
        )
    )
    body = (
        "<p>Kies een microcredential en voeg die toe aan je wallet.<br>"
        "<span class='en'>Pick a micro-credential and add it to your wallet.</span></p>"
        f"<div class='cards'>{cards}</div>"
        f"<div class='panel small'>Protocol: <b>{mode}</b> &middot; uitgestelde uitgifte / "
        f"deferred: <b>{deferred}</b> &middot; student: <b>{escape(DEMO_STUDENT.number)}</b>"
        f" / wachtwoord <b>{escape(DEMO_PASSWORD)}</b><br>{links}</div>"
        f"{_issued_table(issuer)}{_pending_table(issuer)}{_notifications_table(issuer)}"
    )
    return layout(issuer, "Hogeschool Demo — microcredentials", body)


def _card(issuer: Issuer, offering: Offering) -> str:
    style = f"background:{offering.background_color};color:{offering.text_color}"
    href = escape(issuer.url(f"/offer/{offering.id}"))
    auth = escape(issuer.url(f"/offer/{offering.id}?grant=authorization_code"))
    return (
        f"<div class='card' style='{escape(style)}'>"
        f"<h2>{escape(offering.name_nl)}</h2>"
        f"<div class='small'>{escape(offering.name_en)}</div>"
        f"<p class='small'>{escape(offering.description_nl)}</p>"
        f"<a class='button' href='{href}'>Toevoegen aan wallet / Add to wallet</a>"
        f"<p class='small'><a href='{auth}'>via inloggen / via login (authorization code)</a></p>"
        "</div>"
    )


def _issued_table(issuer: Issuer) -> str:
    rows = []
    for issuance in reversed(issuer.state.issuances):
        offering = issuer.catalog[issuance.configuration_id]
        when = time.strftime("%H:%M:%S", time.localtime(issuance.issued_at))
        listed = issuance.status_indices or issuance.bitstring_indices
        indices = ", ".join(str(i) for i in listed)
        action = _revoke_action(issuer, issuance)
        rows.append(
            f"<tr><td>{when}</td><td>{escape(offering.name_nl)}</td>"
            f"<td>{escape(issuance.student.given_name)} {escape(issuance.student.family_name)}"
            f"</td><td>{len(issuance.holder_thumbprints)}</td><td>{indices}</td>"
            f"<td>{escape(', '.join(issuance.events) or '-')}</td><td>{action}</td></tr>"
        )
    if not rows:
        return ""
    return _table(
        "Uitgegeven / Issued",
        ("tijd", "credential", "student", "aantal", "status idx", "meldingen", ""),
        rows,
    )


def _revoke_action(issuer: Issuer, issuance: Issuance) -> str:
    if issuance.revoked:
        return "<b>ingetrokken / revoked</b>"
    if issuance.status_indices:
        path = f"/admin/revoke/{issuance.status_indices[0]}"
    elif issuance.bitstring_indices:
        path = f"/admin/revoke/bitstring/{issuance.bitstring_indices[0]}"
    else:  # the edubadges-style VC-JWT has no status entry
        return "<span class='small'>niet intrekbaar / not revocable</span>"
    return (
        f"<form class='inline' method='post' action='{escape(issuer.url(path))}'>"
        f"<input type='hidden' name='csrf' value='{escape(issuer.page_csrf)}'>"
        "<button class='button secondary' type='submit'>Intrekken / Revoke</button>"
        "</form>"
    )


def _pending_table(issuer: Issuer) -> str:
    rows = []
    for transaction in issuer.state.transactions.values():
        offering = issuer.catalog[transaction.configuration_id]
        ready = transaction.ready_at is not None and issuer.now() >= transaction.ready_at
        target = escape(issuer.url(f"/admin/deferred/{transaction.id}/ready"))
        action = (
            "klaar / ready"
            if ready
            else (
                f"<form class='inline' method='post' action='{target}'>"
                f"<input type='hidden' name='csrf' value='{escape(issuer.page_csrf)}'>"
                "<button class='button secondary' type='submit'>Goedkeuren / Approve</button>"
                "</form>"
            )
        )
        rows.append(
            f"<tr><td>{escape(transaction.id)}</td><td>{escape(offering.name_nl)}</td>"
            f"<td>{action}</td></tr>"
        )
    if not rows:
        return ""
    return _table("Uitgesteld / Deferred", ("transaction_id", "credential", ""), rows)


def _notifications_table(issuer: Issuer) -> str:
    rows = [
        f"<tr><td>{time.strftime('%H:%M:%S', time.localtime(n.received_at))}</td>"
        f"<td>{escape(n.event)}</td><td>{escape(n.notification_id)}</td>"
        f"<td>{escape(n.event_description or '')}</td></tr>"
        for n in reversed(issuer.state.notifications)
    ]
    if not rows:
        return ""
    return _table(
        "Meldingen van wallets / Wallet notifications",
        ("tijd", "event", "notification_id", "toelichting"),
        rows,
    )


def _table(title: str, headings: Iterable[str], rows: list[str]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headings)
    return (
        f"<div class='panel'><h2>{escape(title)}</h2><table><tr>{head}</tr>"
        f"{''.join(rows)}</table></div>"
    )


# -- offer ------------------------------------------------------------------------------


def offer_page(
    issuer: Issuer,
    offering: Offering,
    offer: Offer,
    link: str,
    qr: str,
    options: dict[str, str],
) -> str:
    code = ""
    if offer.tx_code:
        code = (
            "<h3>Transactiecode / Transaction code</h3>"
            f"<div class='code'>{escape(offer.tx_code)}</div>"
            "<p class='small'>Je wallet vraagt om deze code. In het echt krijg je hem per "
            "mail of sms.<br><span class='en'>Your wallet will ask for this code; a real "
            "institution would send it by mail or text message.</span></p>"
        )
    login = ""
    if offer.issuer_state:
        login = (
            "<p class='small'>Je wallet stuurt je naar de inlogpagina: studentnummer "
            f"<b>{escape(DEMO_STUDENT.number)}</b>, wachtwoord <b>{escape(DEMO_PASSWORD)}</b>."
            "<br><span class='en'>Your wallet will send you to the login page.</span></p>"
        )
    minutes = int(issuer.settings.offer_lifetime // 60)
    opened = open_in_wallet(link, issuer.settings.wallet_url, "offer")
    body = (
        f"<div class='panel'><h2>{escape(offering.name_nl)}</h2>"
        f"<div class='en'>{escape(offering.name_en)}</div>"
        "<div class='qr'>"
        f"<img src='{escape(qr)}' alt='QR-code van het aanbod / offer QR code'>"
        "<div><p>Scan de QR-code met je wallet, of open de link op dit apparaat.<br>"
        "<span class='en'>Scan the QR code with your wallet, or open the link on this "
        "device.</span></p>"
        f"<p><a class='button secondary' id='open-in-wallet' href='{escape(opened)}'>"
        "Open in wallet</a></p>"
        f"{code}{login}"
        f"<p class='small'>Dit aanbod is {minutes} minuten geldig en eenmalig te gebruiken. / "
        f"Valid for {minutes} minutes, single use.</p></div></div>"
        "<label for='link'>Link (kopiëren / copy):</label>"
        f"<textarea id='link' rows='4' readonly>{escape(link)}</textarea>"
        f"<p class='small'>{_option_links(issuer, offering, options)}</p>"
        f"<p><a href='{escape(issuer.url('/'))}'>&larr; Terug / Back</a></p></div>"
    )
    return layout(issuer, "Aanbod / Credential offer", body)


def _option_links(issuer: Issuer, offering: Offering, options: dict[str, str]) -> str:
    variants = (
        ("transactiecode / tx code", "tx_code", ("1", "0")),
        ("aanbod / offer", "by_reference", ("1", "0")),
        ("grant", "grant", ("pre-authorized", "authorization_code", "both")),
    )
    parts = []
    for label, name, values in variants:
        choices = []
        for value in values:
            shown = {
                "1": "by reference" if name == "by_reference" else "ja/yes",
                "0": "by value" if name == "by_reference" else "nee/no",
            }.get(value, value)
            if options.get(name) == value:
                choices.append(f"<b>{escape(shown)}</b>")
            else:
                query = urlencode({**options, name: value})
                href = escape(issuer.url(f"/offer/{offering.id}?{query}"))
                choices.append(f"<a href='{href}'>{escape(shown)}</a>")
        parts.append(f"{escape(label)}: {' | '.join(choices)}")
    return " &middot; ".join(parts)


# -- login ------------------------------------------------------------------------------


def login_page(issuer: Issuer, session: LoginSession, *, failed: bool = False) -> str:
    request = session.request
    names = "".join(
        f"<li>{escape(issuer.catalog[cid].name_nl)} "
        f"<span class='en'>({escape(issuer.catalog[cid].name_en)})</span></li>"
        for cid in request.configuration_ids
    )
    target = urlsplit(request.redirect_uri)
    destination = f"{target.scheme}://{target.netloc}" if target.netloc else target.scheme + ":"
    error = (
        "<p class='error'>Onbekend studentnummer of verkeerd wachtwoord.<br>"
        "<span class='en'>Unknown student number or wrong password.</span></p>"
        if failed
        else ""
    )
    body = (
        "<div class='panel'><h2>Inloggen / Log in</h2>"
        f"<p>Een wallet (<code>{escape(request.client_id)}</code>) vraagt om:</p>"
        f"<ul>{names}</ul>"
        f"<p class='small'>Daarna ga je terug naar <code>{escape(destination)}</code>.<br>"
        "<span class='en'>A wallet asks for the credentials above; afterwards you return "
        "to it.</span></p>"
        f"{error}"
        f"<form method='post' action='{escape(issuer.url('/login'))}'>"
        f"<input type='hidden' name='session' value='{escape(session.id)}'>"
        "<label for='student_number'>Studentnummer / Student number</label>"
        "<input type='text' id='student_number' name='student_number' autocomplete='username' "
        "required>"
        "<label for='password'>Wachtwoord / Password</label>"
        "<input type='password' id='password' name='password' "
        "autocomplete='current-password' required>"
        "<p><button class='button secondary' type='submit' name='action' value='login'>"
        "Inloggen / Log in</button> "
        "<button class='button secondary' type='submit' name='action' value='deny' "
        "formnovalidate>Weigeren / Decline</button></p></form>"
        f"<p class='small'>Demo: <b>{escape(DEMO_STUDENT.number)}</b> / "
        f"<b>{escape(DEMO_PASSWORD)}</b></p></div>"
    )
    return layout(issuer, "Hogeschool Demo — inloggen", body)

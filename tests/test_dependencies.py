"""DESIGN §2/§3: the dependency direction, enforced on the source."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "wallet_core"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _core_modules() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def test_wallet_core_never_imports_flet_or_app() -> None:
    for path in _core_modules():
        bad = {n for n in _imports(path) if n.split(".")[0] in {"flet", "flet_web", "app"}}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_importing_wallet_core_loads_no_ui() -> None:
    code = (
        "import sys, wallet_core\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flet', 'app')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_storage_is_used_only_by_the_use_case_layer() -> None:
    """wallet.py and the use-case modules it composes; never formats, crypto, protocols."""
    allowed = {
        CORE / name
        for name in (
            "wallet.py",
            "receiving.py",
            "issuance_sessions.py",  # receiving's record of a session, with its DPoP key
            "importing.py",
            "duplicates.py",  # receiving's and importing's check against what is held
            "freshness.py",
            "presenting.py",
            "__init__.py",
        )
    }
    for path in _core_modules():
        if "storage" in path.relative_to(CORE).parts or path in allowed:
            continue
        users = {n for n in _imports(path) if n.startswith("wallet_core.storage")}
        assert not users, f"{path.relative_to(ROOT)} uses storage directly"


def test_formats_and_crypto_do_no_network_io() -> None:
    for path in _core_modules():
        parts = path.relative_to(CORE).parts
        if parts[0] in ("formats", "crypto"):
            names = {n.split(".")[0] for n in _imports(path)} | set(_imports(path))
            assert not names & {"httpx", "wallet_core.http", "socket", "urllib.request"}, path


def test_crypto_does_no_io_and_no_print() -> None:
    for path in _core_modules():
        names = _imports(path)
        if "crypto" in path.relative_to(CORE).parts:
            assert not names & {"httpx", "sqlite3", "sqlcipher3", "socket", "os"}, path
        tree = ast.parse(path.read_text())
        prints = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"
        ]
        assert not prints, f"{path.relative_to(ROOT)} calls print()"


# -- the format seam (docs/decisions/0006) ----------------------------------------------------

USE_CASES = ("receiving", "presenting", "freshness")


def test_the_use_cases_do_not_depend_on_each_other() -> None:
    """Receiving, presenting and freshness are siblings: what they share lives below them."""
    for name in USE_CASES:
        imported = _imports(CORE / f"{name}.py")
        others = {f"wallet_core.{other}" for other in USE_CASES if other != name}
        assert not imported & others, f"{name}.py imports {imported & others}"


def test_formats_sit_below_the_protocols_and_the_vault() -> None:
    for path in sorted((CORE / "formats").rglob("*.py")):
        upward = {
            n
            for n in _imports(path)
            if n.startswith(("wallet_core.oid4v", "wallet_core.storage", "wallet_core.trust"))
            or n in {f"wallet_core.{u}" for u in (*USE_CASES, "wallet", "network")}
        }
        assert not upward, f"{path.relative_to(ROOT)} imports {upward}"


def _format_identifiers() -> set[str]:
    from wallet_core.formats import registry

    return {i for rules in (*registry.HELD, *registry.KNOWN) for i in rules.identifiers}


def _literals(path: Path) -> set[str]:
    return {
        node.value
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_only_the_formats_name_a_format() -> None:
    """Outside wallet_core/formats/ nothing compares against (or otherwise spells) a format
    identifier: the registry is asked instead, so a new format is added in one place."""
    identifiers = _format_identifiers()
    assert {"dc+sd-jwt", "vc+sd-jwt", "jwt_vc_json", "ldp_vc", "mso_mdoc"} <= identifiers
    places = [*CORE.rglob("*.py"), *(ROOT / "app").rglob("*.py")]
    for path in sorted(places):
        if "formats" in path.relative_to(ROOT).parts:
            continue
        named = _literals(path) & identifiers
        assert not named, f"{path.relative_to(ROOT)} names the format(s) {sorted(named)}"


# -- the app sees only the public face (DESIGN §4) --------------------------------------------

PUBLIC_MODULES = {"wallet_core", "wallet_core.qr"}


def test_the_app_imports_only_the_public_face() -> None:
    """app/ imports ``wallet_core`` (its ``__all__``) and ``wallet_core.qr``, nothing deeper:
    an internal module can then change without touching the UI."""
    import wallet_core

    for path in sorted((ROOT / "app").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                module = node.module
                if module.split(".")[0] != "wallet_core":
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                assert module in PUBLIC_MODULES, f"{where} imports the private {module}"
                if module == "wallet_core":
                    submodules = {m.rsplit(".", 1)[1] for m in PUBLIC_MODULES if "." in m}
                    hidden = {a.name for a in node.names} - {*wallet_core.__all__, *submodules}
                    assert not hidden, f"{where} imports {hidden}, not in __all__"
            elif isinstance(node, ast.Import):
                private = {a.name for a in node.names if a.name.startswith("wallet_core.")}
                assert private <= PUBLIC_MODULES, f"{path.relative_to(ROOT)} imports {private}"


def test_the_public_names_are_pinned() -> None:
    """Adding or removing a public name is a decision: this list changes with it."""
    import wallet_core

    errors = {n for n in wallet_core.__all__ if n.endswith(("Error", "Error_"))}
    assert set(wallet_core.__all__) - errors == {
        "ActivityEntry", "AuthorizationSession", "BadgeDetail", "BadgeFacts", "BadgeGrade",
        "BadgeQualityAssurance", "BadgeTerm", "Candidate", "Choice", "ClaimPath", "Clock",
        "CredentialOffer", "CredentialStatus", "CredentialSummary", "Display", "HeldCredential",
        "KdfParams", "KeyAlgorithm", "KeyInfo", "ManualClock", "NewCredential", "OfferPreview",
        "OfflineChallenge", "PendingCredential", "PresentationMatch", "PresentationRequest",
        "PresentationResult", "QueryMatch", "StatusState", "StoredCredential", "SystemClock",
        "Wallet", "WalletOptions", "check_backup_passphrase", "check_pin", "localized",
        "logo_bytes", "offline_challenge", "qr_payload", "rules_for", "badge_facts", "pretty_name",
    }  # fmt: skip
    assert all(hasattr(wallet_core, name) for name in wallet_core.__all__)

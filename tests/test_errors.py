import re

import wallet_core
from wallet_core import WalletError


def _all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found


def test_every_error_has_its_own_stable_snake_case_code() -> None:
    classes = [WalletError, *_all_subclasses(WalletError)]
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes)), "two error classes share a code"
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", code) for code in codes)


def test_every_error_is_exported() -> None:
    for cls in _all_subclasses(WalletError):
        assert getattr(wallet_core, cls.__name__) is cls


def test_design_tree() -> None:
    from wallet_core import errors as e

    assert issubclass(e.WrongPinError, e.StorageError)
    assert issubclass(e.LockedOutError, e.StorageError)
    assert issubclass(e.BackupError, e.StorageError)
    assert issubclass(e.UnsupportedAlgorithmError, e.KeyStoreError)
    assert issubclass(e.IssuanceError, e.ProtocolError)
    assert issubclass(e.InsecureUrlError, e.NetworkError)
    assert e.WrongPinError(3).attempts_left == 3
    assert e.LockedOutError(29.5).seconds_left == 29.5


def test_the_docstring_draws_the_tree_as_it_is() -> None:
    """errors.py's docstring is the map readers use; it must not drift from the classes."""
    from wallet_core import errors as e

    drawn = [
        line for line in (e.__doc__ or "").splitlines() if re.fullmatch(r" {4,}\w+ \(\w+\)", line)
    ]

    def lines(cls: type[WalletError], depth: int) -> list[str]:
        own = [f"{'    ' * (depth + 1)}{cls.__name__} ({cls.code})"]
        for sub in cls.__subclasses__():
            if sub.__module__ == e.__name__:
                own += lines(sub, depth + 1)
        return own

    assert drawn == lines(WalletError, 0)

"""The claim-set rule on Candidate (OpenID4VP 1.0 §6.4.1), used by the wallet and its screens."""

from __future__ import annotations

from wallet_core import Candidate

TITLE, GRADE, EC, NAME = ("title",), ("grade",), ("ec",), ("name",)
# preferred: title + grade + ec; the verifier also accepts title + ec (no grade)
WITH_ALTERNATIVE = Candidate("c1", (TITLE, GRADE, EC), (NAME,), ((TITLE, EC),))


def test_what_every_claim_set_needs_is_locked_and_the_rest_may_be_left_out() -> None:
    assert WITH_ALTERNATIVE.always_sent() == (TITLE, EC)
    assert WITH_ALTERNATIVE.may_leave_out() == (GRADE,)
    plain = Candidate("c2", (TITLE, EC))
    assert plain.always_sent() == (TITLE, EC) and plain.may_leave_out() == ()


def test_leaving_out_is_acceptable_only_when_a_claim_set_is_still_complete() -> None:
    assert WITH_ALTERNATIVE.acceptable([TITLE, GRADE, EC])
    assert WITH_ALTERNATIVE.acceptable([TITLE, EC])
    assert not WITH_ALTERNATIVE.acceptable([TITLE, GRADE])
    assert not Candidate("c2", (TITLE, EC)).acceptable([TITLE])


def test_what_is_sent_is_the_completed_claim_set_and_the_chosen_optional_claims() -> None:
    assert WITH_ALTERNATIVE.to_send([TITLE, GRADE, EC]) == (TITLE, GRADE, EC)
    assert WITH_ALTERNATIVE.to_send([TITLE, EC]) == (TITLE, EC)  # the alternative set
    assert WITH_ALTERNATIVE.to_send([TITLE, EC, NAME]) == (TITLE, EC, NAME)
    # too little still sends the preferred set: the verifier asked for it
    assert WITH_ALTERNATIVE.to_send([]) == (TITLE, GRADE, EC)
    assert WITH_ALTERNATIVE.to_send([("secret",)]) is None  # never asked for

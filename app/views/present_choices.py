"""The holder's choices on the share screen: which credential answers each query and which
claims go with it. They outlive a lock (the credentials read from the vault do not).

What may be left out or added is wallet_core's claim-set rule (:class:`~wallet_core.Candidate`,
OpenID4VP 1.0 §6.4.1); this module only remembers the switches and turns them into choices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from wallet_core import Candidate, Choice, ClaimPath, PresentationMatch

Key = tuple[str, str]  # (query id, credential id)


@dataclass
class HolderChoices:
    """The holder's switches per query. They outlive a lock (the credentials do not)."""

    chosen: dict[str, str] = field(default_factory=dict)  # query id -> credential id
    optional_on: dict[Key, set[ClaimPath]] = field(default_factory=dict)
    # preferred claims switched off, where the verifier accepts a smaller set
    left_out: dict[Key, set[ClaimPath]] = field(default_factory=dict)

    def left_out_of(self, candidate: Candidate, query_id: str) -> set[ClaimPath]:
        """The preferred claims left out: at first every one the verifier can do without
        (the holder chooses to add them), as far as a claim set it accepts remains."""
        key = (query_id, candidate.credential_id)
        if key not in self.left_out:
            out: set[ClaimPath] = set()
            for path in candidate.may_leave_out():
                kept = [p for p in candidate.required_claims if p not in out and p != path]
                if candidate.acceptable(kept):
                    out.add(path)
            self.left_out[key] = out
        return self.left_out[key]

    def candidate(self, match: PresentationMatch, query_id: str) -> Candidate:
        candidates = match.candidates(query_id)
        chosen = self.chosen.get(query_id)
        return next((c for c in candidates if c.credential_id == chosen), candidates[0])

    def leave_out(self, candidate: Candidate, query_id: str, path: ClaimPath, off: bool) -> None:
        """Only what still completes a claim set the verifier accepts can be left out."""
        key = (query_id, candidate.credential_id)
        left_out = set(self.left_out_of(candidate, query_id))
        if off:
            left_out.add(path)
        else:
            left_out.discard(path)
        kept = [p for p in candidate.required_claims if p not in left_out]
        if not left_out or candidate.acceptable(kept):
            self.left_out[key] = left_out

    def toggle(self, key: Key, path: ClaimPath, on: bool) -> None:
        selected = self.optional_on.setdefault(key, set())
        if on:
            selected.add(path)
        else:
            selected.discard(path)

    def choices(self, match: PresentationMatch, query_ids: Sequence[str]) -> dict[str, Choice]:
        out: dict[str, Choice] = {}
        for qid in query_ids:
            candidate = self.candidate(match, qid)
            key = (qid, candidate.credential_id)
            on, left_out = self.optional_on.get(key, set()), self.left_out_of(candidate, qid)
            asked = [p for p in candidate.required_claims if p not in left_out]
            extra = [p for p in candidate.optional_claims if p in on]
            out[qid] = Choice(candidate.credential_id, [*asked, *extra])
        return out

"""One interface over the two query languages a request may carry, parsed once with it.

A request holds exactly one of ``dcql_query`` (OpenID4VP 1.0 §6) and
``presentation_definition`` (Presentation Exchange, for draft-era verifiers). Whatever it
holds, the wallet asks the same three things of it: which held credentials answer it
(:meth:`Query.match`), whether a set of answers is one the verifier can accept
(:meth:`Query.check_answers`, asked before anything is built), and how the chosen
presentations travel in the response (:meth:`Query.response_parameters`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from wallet_core.errors import NoMatchingCredentialError, PresentationRequestError
from wallet_core.formats.registry import answers, rules_for
from wallet_core.formats.seam import HeldCredential, Presentation
from wallet_core.models import PresentationMatch
from wallet_core.oid4vp import dcql, pex


@dataclass(frozen=True)
class Presented:
    """One presentation built for one query (a Credential Query or an input descriptor)."""

    query_id: str
    format: str
    presentation: Presentation


class Query(Protocol):
    def match(self, held: Sequence[HeldCredential]) -> PresentationMatch: ...

    def check_answers(self, answered: Collection[str]) -> None:
        """Raise ``NoMatchingCredentialError`` unless answering exactly the queries in
        ``answered`` is a combination the verifier accepts."""

    def response_parameters(self, presented: Sequence[Presented]) -> dict[str, Any]:
        """The response's ``vp_token`` (and what goes with it) for checked answers."""


@dataclass(frozen=True)
class DcqlRequestQuery:
    query: dcql.DcqlQuery

    def match(self, held: Sequence[HeldCredential]) -> PresentationMatch:
        return dcql.match(self.query, held)

    def check_answers(self, answered: Collection[str]) -> None:
        """``credential_sets`` (§6.2); every query when there are none."""
        unmet = dcql.unmet_sets(self.query, answered)
        if unmet:
            wanted = " or ".join("+".join(option) for option in unmet[0].options)
            raise NoMatchingCredentialError(f"the verifier requires {wanted}")

    def response_parameters(self, presented: Sequence[Presented]) -> dict[str, Any]:
        """§8.1: ``vp_token`` is always ``{query_id: [presentation, ...]}``."""
        token: dict[str, list[Presentation]] = {}
        for item in presented:
            token.setdefault(item.query_id, []).append(item.presentation)
        return {"vp_token": token}


@dataclass(frozen=True)
class PexRequestQuery:
    definition: pex.PresentationDefinition

    def match(self, held: Sequence[HeldCredential]) -> PresentationMatch:
        return pex.match(self.definition, held)

    def check_answers(self, answered: Collection[str]) -> None:
        """``submission_requirements``; every input descriptor when there are none."""
        if not pex.fits_requirements(self.definition, answered):
            raise NoMatchingCredentialError(
                "these credentials do not meet the verifier's submission requirements"
            )

    def response_parameters(self, presented: Sequence[Presented]) -> dict[str, Any]:
        """The ``vp_token`` and its ``presentation_submission``: one presentation is sent
        bare, several as an array addressed by ``$[i]``; a W3C credential is found in its
        VP by ``path_nested`` (draft 21 §6.1 and Appendix A.1)."""
        single = len(presented) == 1
        descriptors = [
            self._descriptor(item, "$" if single else f"$[{index}]")
            for index, item in enumerate(presented)
        ]
        token: Any = (
            presented[0].presentation if single else [item.presentation for item in presented]
        )
        submission = {
            "id": f"submission-{self.definition.id}",
            "definition_id": self.definition.id,
            "descriptor_map": descriptors,
        }
        return {"vp_token": token, "presentation_submission": submission}

    def _descriptor(self, item: Presented, path: str) -> dict[str, Any]:
        named = self._named_format(item.query_id, item.format)
        nested = rules_for(item.format).nested_in
        if nested is None:
            return {"id": item.query_id, "format": named, "path": path}
        presentation_format, inner = nested
        return {
            "id": item.query_id,
            "format": presentation_format,
            "path": path,
            "path_nested": {"id": item.query_id, "format": named, "path": inner},
        }

    def _named_format(self, descriptor_id: str, held: str) -> str:
        """The verifier's own name for the format (``vc+sd-jwt`` for draft-21 verifiers)."""
        descriptor = self.definition.descriptor(descriptor_id)
        formats = descriptor.formats or self.definition.formats or {}
        return next((name for name in formats if answers(name, held)), held)


def parse_query(parameters: Mapping[str, Any]) -> Query:
    """The request's one query, validated whole; raises ``PresentationRequestError``."""
    document = parameters.get("dcql_query")
    definition = parameters.get("presentation_definition")
    if (document is None) == (definition is None):
        raise PresentationRequestError("exactly one of dcql_query and presentation_definition")
    for member, value in (("dcql_query", document), ("presentation_definition", definition)):
        if value is not None and not isinstance(value, dict):
            raise PresentationRequestError(f"{member} must be a JSON object")
    if document is not None:
        return DcqlRequestQuery(dcql.parse_query(document))
    return PexRequestQuery(pex.parse_definition(definition))

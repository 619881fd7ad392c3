"""SD-JWT VC Type Metadata documents the issuer serves at its ``vct`` URLs.

The microcredential type is derived from the WE BUILD Micro-credential Rulebook type
metadata (``../shared/samples/webuild-microcredential-type-metadata.json``, from SUNET/vc):
the same flat claim names, ``mandatory`` flags and ``sd`` rules, with Dutch labels added next
to the English ones. It is a standalone document and does not ``extends`` the sample's
``VerifiableMicroCredential``: that vct is not a URL, so a wallet could not retrieve it.
The diploma type is our own, built the same way.

The issuer uses the ``sd`` rules to decide what to make selectively disclosable (``never``
in the clear, ``always``/``allowed`` disclosable), and the labels for the claim list in its
OpenID4VCI metadata, so the three views of a claim cannot drift apart.

Documents are serialized once, and those exact bytes are served and hashed for
``vct#integrity`` (W3C SRI, sha256), which the wallet checks over the octets it fetched.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

Sd = Literal["always", "allowed", "never"]


@dataclass(frozen=True)
class ClaimSpec:
    name: str
    mandatory: bool
    sd: Sd
    en: str | None = None  # label
    en_description: str | None = None
    nl: str | None = None
    nl_description: str | None = None

    def document_entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"path": [self.name], "mandatory": self.mandatory, "sd": self.sd}
        if self.en and self.nl:
            entry["display"] = [
                _label("nl", self.nl, self.nl_description),
                _label("en", self.en, self.en_description),
            ]
        return entry


def _label(locale: str, label: str, description: str | None) -> dict[str, str]:
    out = {"locale": locale, "label": label}
    if description:
        out["description"] = description
    return out


def _c(
    name: str,
    mandatory: bool,
    sd: Sd,
    en: str | None = None,
    en_description: str | None = None,
    nl: str | None = None,
    nl_description: str | None = None,
) -> ClaimSpec:
    return ClaimSpec(name, mandatory, sd, en, en_description, nl, nl_description)


# Bookkeeping claims of every SD-JWT VC: never selectively disclosable (SD-JWT VC §3.2.2.2).
_JWT_CLAIMS = (
    _c("iss", True, "never"),
    _c("iat", True, "never"),
    _c("nbf", False, "never"),
    _c("exp", False, "never"),
    _c("jti", False, "never"),
    _c("cnf", False, "never"),
    _c("status", False, "never"),
    _c("vct", True, "never"),
)

MICROCREDENTIAL_CLAIMS: tuple[ClaimSpec, ...] = (
    *_JWT_CLAIMS,
    _c("attestation_legal_category", True, "never",
       "Legal category", "Legal category of the attestation. SHALL be non-qualified-EAA.",
       "Juridische categorie", "Juridische categorie van de attestatie (non-qualified-EAA)."),
    _c("trust_anchor", False, "never",
       "Trust anchor",
       "Location or identifier of the trust anchor or trust framework entry used to verify "
       "issuer authorisation.",
       "Vertrouwensanker",
       "Vindplaats of kenmerk van het vertrouwensanker waarmee de bevoegdheid van de "
       "uitgever wordt gecontroleerd."),
    _c("cryptographically_bound_to", False, "never",
       "Cryptographically bound to",
       "Identifier of another attestation type to which this attestation is cryptographically "
       "bound, where used.",
       "Cryptografisch gekoppeld aan",
       "Ander attestatietype waaraan deze attestatie cryptografisch is gekoppeld."),
    _c("identifier", True, "always",
       "Identifier",
       "Unique identifier of the micro-credential instance, assigned by the awarding body.",
       "Kenmerk", "Uniek kenmerk van deze microcredential, toegekend door de instelling."),
    _c("title", True, "always",
       "Title", "Title of the micro-credential.",
       "Titel", "Titel van de microcredential."),
    _c("givenName", True, "always",
       "Given name", "Learner given name.",
       "Voornaam", "Voornaam van de lerende."),
    _c("familyName", True, "always",
       "Family name", "Learner family name.",
       "Achternaam", "Achternaam van de lerende."),
    _c("issuerCountry", True, "always",
       "Issuer country",
       "Country or region of the organisation that sealed/issued the credential.",
       "Land van uitgifte", "Land of regio van de organisatie die de credential uitgaf."),
    _c("awardingBody", True, "always",
       "Awarding body",
       "Name of the formal education provider that awarded the micro-credential.",
       "Uitgevende instelling",
       "Naam van de onderwijsinstelling die de microcredential toekende."),
    _c("issuanceDate", True, "always",
       "Issuance date", "Date on which the credential was sealed and issued.",
       "Datum van uitgifte", "Datum waarop de credential is uitgegeven."),
    _c("learningOutcomes", True, "always",
       "Learning outcomes", "Description of the learning outcomes acquired by the learner.",
       "Leeruitkomsten", "De leeruitkomsten die de lerende heeft behaald."),
    _c("notionalWorkload", True, "always",
       "Notional workload",
       "Notional workload needed to complete the learning activity, expressed as a value and "
       "a unit.",
       "Studielast", "Studielast van de leeractiviteit, als waarde en eenheid (EC)."),
    _c("typeOfAssessment", True, "always",
       "Type of assessment", "Type of assessment used to validate the learning outcomes.",
       "Toetsvorm", "Manier waarop de leeruitkomsten zijn getoetst."),
    _c("formOfParticipation", True, "always",
       "Form of participation", "Form of participation in the learning activity.",
       "Vorm van deelname", "Vorm van deelname aan de leeractiviteit."),
    _c("qualityAssurance", True, "always",
       "Quality assurance", "Type of quality assurance used to underpin the micro-credential.",
       "Kwaliteitsborging", "Kwaliteitsborging waarop de microcredential berust."),
    _c("dateOfBirth", False, "allowed",
       "Date of birth", "Learner date of birth.",
       "Geboortedatum", "Geboortedatum van de lerende."),
    _c("placeOfBirth", False, "allowed",
       "Place of birth", "Learner place of birth.",
       "Geboorteplaats", "Geboorteplaats van de lerende."),
    _c("citizenshipCountry", False, "allowed",
       "Citizenship country", "Learner country of citizenship.",
       "Nationaliteit", "Land van nationaliteit van de lerende."),
    _c("nationalID", False, "allowed",
       "National ID", "National or other government-issued identifier of the learner.",
       "Nationaal identificatienummer", "Door de overheid uitgegeven kenmerk van de lerende."),
    _c("registeredAddress", False, "allowed",
       "Registered address", "Learner's registered or contact address.",
       "Adres", "Woon- of contactadres van de lerende."),
    _c("mail", False, "allowed",
       "Email", "Learner email address.",
       "E-mailadres", "E-mailadres van de lerende."),
    _c("level", False, "allowed",
       "Level",
       "Level of the learning outcomes, expressed against the EQF or an applicable framework, "
       "where applicable.",
       "Niveau", "Niveau van de leeruitkomsten volgens het EQF."),
    _c("nationalQualificationsFrameworkLevel", False, "allowed",
       "NQF level",
       "Level expressed against a national or regional qualifications framework, where used.",
       "NLQF-niveau", "Niveau volgens het Nederlands kwalificatieraamwerk (NLQF)."),
    _c("educationLevelDescriptor", False, "allowed",
       "Education level descriptor",
       "Framework-independent descriptor of the learning experience level.",
       "Omschrijving onderwijsniveau", "Raamwerkonafhankelijke omschrijving van het niveau."),
    _c("learningOutcomeSummary", False, "allowed",
       "Learning outcome summary",
       "Free-text collective description of the learning outcomes.",
       "Samenvatting leeruitkomsten", "Samenvatting van de leeruitkomsten in vrije tekst."),
    _c("fieldOfEducation", False, "allowed",
       "Field of education",
       "Field of education or training classification code (ISCED-F 2013).",
       "Opleidingsgebied", "Code van het opleidingsgebied (ISCED-F 2013)."),
    _c("escoReference", False, "allowed",
       "ESCO reference",
       "One or more references to the ESCO classification of the skill or competence "
       "attested.",
       "ESCO-verwijzing", "Verwijzingen naar ESCO-vaardigheden of -competenties."),
    _c("learningActivityType", False, "allowed",
       "Learning activity type", "Categorisation of the learning activity.",
       "Soort leeractiviteit", "Soort leeractiviteit."),
    _c("languageOfAssessment", False, "allowed",
       "Language of assessment", "Language in which the assessment was conducted (BCP 47).",
       "Taal van de toetsing", "Taal waarin is getoetst (BCP 47)."),
    _c("idVerificationMethod", False, "allowed",
       "ID verification method",
       "Method used to supervise the assessment and verify the identity of the learner during "
       "assessment.",
       "Identiteitscontrole",
       "Hoe de toetsing werd gesurveilleerd en de identiteit van de lerende gecontroleerd."),
    _c("grade", False, "allowed",
       "Grade",
       "Grade or result obtained in the assessment, where the type of assessment produces "
       "one.",
       "Cijfer", "Behaald cijfer of resultaat."),
    _c("gradingScheme", False, "allowed",
       "Grading scheme",
       "Description of the grading scheme, enabling a third party to interpret the disclosed "
       "grade.",
       "Beoordelingsschaal", "Uitleg van de beoordelingsschaal."),
    _c("entryRequirements", False, "allowed",
       "Entry requirements",
       "Prerequisites the learner needed to fulfil to enrol in the learning activity.",
       "Toelatingseisen", "Voorwaarden om aan de leeractiviteit deel te nemen."),
    _c("stackable", False, "allowed",
       "Stackable",
       "Indicates whether the micro-credential is designed to stack towards a larger "
       "qualification.",
       "Stapelbaar", "Of de microcredential kan bijdragen aan een grotere kwalificatie."),
    _c("partOfQualification", False, "allowed",
       "Part of qualification",
       "Identifier or title of the larger qualification this micro-credential can contribute "
       "towards.",
       "Onderdeel van kwalificatie", "De grotere kwalificatie waaraan dit kan bijdragen."),
    _c("accreditation", False, "allowed",
       "Accreditation", "Structured accreditation details underpinning the quality assurance.",
       "Accreditatie", "Accreditatie waarop de kwaliteitsborging berust."),
    _c("awardingBodyAddress", False, "allowed",
       "Awarding body address", "Registered or contact address of the awarding body.",
       "Adres uitgevende instelling", "Adres van de uitgevende instelling."),
    _c("awardingBodyHomepage", False, "allowed",
       "Awarding body homepage", "Homepage URL of the awarding body.",
       "Website uitgevende instelling", "Website van de uitgevende instelling."),
    _c("awardingBodyIdentifier", False, "allowed",
       "Awarding body identifier",
       "Additional identifier(s) for the awarding body, e.g. a national registry or ROR "
       "identifier.",
       "Kenmerk uitgevende instelling", "Kenmerk van de instelling, zoals de BRIN-code."),
    _c("additionalNote", False, "allowed",
       "Additional note",
       "Free-text field for information not covered by another attribute in this Rulebook.",
       "Aanvullende opmerking", "Overige informatie in vrije tekst."),
)  # fmt: skip

DIPLOMA_CLAIMS: tuple[ClaimSpec, ...] = (
    *_JWT_CLAIMS,
    _c("identifier", True, "always",
       "Diploma number", "Unique identifier of this diploma, assigned by the institution.",
       "Diplomanummer", "Uniek kenmerk van dit diploma, toegekend door de instelling."),
    _c("title", True, "always",
       "Programme", "Name of the degree programme.",
       "Opleiding", "Naam van de opleiding."),
    _c("degree", True, "always",
       "Degree", "Degree conferred.",
       "Graad", "Verleende graad."),
    _c("givenName", True, "always", "Given name", None, "Voornaam", None),
    _c("familyName", True, "always", "Family name", None, "Achternaam", None),
    _c("dateOfBirth", False, "allowed", "Date of birth", None, "Geboortedatum", None),
    _c("awardingBody", True, "always", "Awarding body", None, "Uitgevende instelling", None),
    _c("issuerCountry", True, "always", "Issuer country", None, "Land van uitgifte", None),
    _c("graduationDate", True, "always",
       "Graduation date", "Date of the final examination.",
       "Datum examen", "Datum waarop het examen is behaald."),
    _c("issuanceDate", True, "always", "Issuance date", None, "Datum van uitgifte", None),
    _c("notionalWorkload", False, "allowed", "Study load", None, "Studielast", None),
    _c("level", False, "allowed", "Level", "EQF level.", "Niveau", "EQF-niveau."),
    _c("nationalQualificationsFrameworkLevel", False, "allowed",
       "NQF level", None, "NLQF-niveau", None),
    _c("fieldOfEducation", False, "allowed",
       "Field of education", "ISCED-F 2013 code.", "Opleidingsgebied", "ISCED-F 2013-code."),
    _c("qualityAssurance", False, "allowed",
       "Quality assurance", None, "Kwaliteitsborging", None),
    _c("languageOfInstruction", False, "allowed",
       "Language of instruction", None, "Voertaal", None),
    _c("awardingBodyIdentifier", False, "allowed",
       "Awarding body identifier", None, "Kenmerk uitgevende instelling", None),
)  # fmt: skip


@dataclass(frozen=True)
class CredentialType:
    """One type: its vct URL, document and the exact bytes served (and hashed)."""

    key: str  # "microcredential" | "diploma"
    vct: str
    claims: tuple[ClaimSpec, ...]
    document: dict[str, Any]
    body: bytes

    @property
    def integrity(self) -> str:
        digest = hashlib.sha256(self.body).digest()
        return "sha256-" + base64.b64encode(digest).decode("ascii")

    def claim(self, name: str) -> ClaimSpec | None:
        return next((c for c in self.claims if c.name == name), None)

    def is_disclosable(self, name: str) -> bool:
        """``sd: never`` claims stay in the clear; claims the type does not describe get the
        default rule ``allowed`` and are made disclosable (data minimisation wins)."""
        spec = self.claim(name)
        return spec is None or spec.sd != "never"


@dataclass(frozen=True)
class _TypeText:
    name: str
    description: str
    nl: tuple[str, str]  # display name, description
    en: tuple[str, str]
    background_color: str
    text_color: str


_TYPE_TEXT = {
    "microcredential": _TypeText(
        "MicroCredential",
        "Micro-credential per the WE BUILD Micro-credential Rulebook (SD-JWT VC), issued by "
        "Hogeschool Demo.",
        ("Microcredential", "Bewijs van een kleine, afgeronde leereenheid (3-30 EC)."),
        ("Micro-credential", "Proof of a small, completed unit of learning (3-30 EC)."),
        "#00695C",
        "#FFFFFF",
    ),
    "diploma": _TypeText(
        "Diploma",
        "Higher education diploma issued by Hogeschool Demo (SD-JWT VC).",
        ("Diploma", "Diploma van een hbo-opleiding."),
        ("Diploma", "Degree certificate of a higher professional education programme."),
        "#263238",
        "#FFD54F",
    ),
}


def build_types(base_url: str, logo_uri: str) -> dict[str, CredentialType]:
    """The types, keyed by ``key``; their vct is ``{base_url}/types/{key}``."""
    types = {}
    for key, claims in (("microcredential", MICROCREDENTIAL_CLAIMS), ("diploma", DIPLOMA_CLAIMS)):
        text = _TYPE_TEXT[key]
        vct = f"{base_url}/types/{key}"
        rendering = {
            "simple": {
                "logo": {"uri": logo_uri, "alt_text": "Hogeschool Demo"},
                "background_color": text.background_color,
                "text_color": text.text_color,
            }
        }
        document = {
            "vct": vct,
            "name": text.name,
            "description": text.description,
            "display": [
                {"locale": locale, "name": name, "description": description, "rendering": rendering}
                for locale, (name, description) in (("nl", text.nl), ("en", text.en))
            ],
            "claims": [spec.document_entry() for spec in claims],
        }
        body = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
        types[key] = CredentialType(key, vct, claims, document, body)
    return types

"""What Hogeschool Demo offers: three microcredentials and one diploma, and the demo student.

The course facts follow the EU Council Recommendation (2022) elements in the WE BUILD claim
names (MICROCREDENTIALS.md). Value conventions, so a wallet can show facts at a glance:

- ``notionalWorkload``: text ``"<n> ECTS"`` (value and unit, as the rulebook describes).
- ``level``: text ``"EQF <n>"``; ``nationalQualificationsFrameworkLevel``: ``"NLQF <n>"``.
- ``issuanceDate``: ISO 8601 date (``YYYY-MM-DD``); ``learningOutcomes``: array of text.
- ``fieldOfEducation``: ISCED-F 2013 four-digit code; ``languageOfAssessment``: BCP 47.
- ``awardingBodyIdentifier``: a BRIN-style code; this demo institution's ``99DM`` is made up.

Texts are Dutch: credentials carry one set of values, and a Dutch hogeschool writes them in
Dutch. Labels (type and issuer metadata) come in Dutch and English.

Two more configurations issue "Circulair ontwerpen in de bouw" as an Open Badge 3.0 (what
edubadges issues): ``ob3-circulair-ontwerpen-jwt`` as a ``jwt_vc_json`` VC-JWT the way the
edubadges agent signs it, ``ob3-circulair-ontwerpen-ldp`` as an ``ldp_vc`` with an
eddsa-rdfc-2022 Data Integrity proof (``demo_services.issuer.open_badges``). Their
``extension`` holds the educredential microcredential fields (OB3_NOTES.md, the
educredentials samples).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["sd-jwt", "jwt_vc_json", "ldp_vc"]

INSTITUTION_NL = "Hogeschool Demo"
INSTITUTION_EN = "Hogeschool Demo (University of Applied Sciences)"
INSTITUTION_HOMEPAGE = "https://www.hogeschool-demo.example"
INSTITUTION_ID = "99DM"

QUALITY_FRAMEWORK = (
    "Kwaliteitskader Microcredentials voor Professionals HBO en WO "
    "(Vereniging Hogescholen en Universiteiten Nederland); instelling met positief "
    "NVAO-oordeel instellingstoets kwaliteitszorg"
)


@dataclass(frozen=True)
class Student:
    number: str
    given_name: str
    family_name: str
    date_of_birth: str


DEMO_STUDENT = Student("s1234567", "Sanne", "de Vries", "2001-05-14")
DEMO_PASSWORD = "demo"  # a demo account; shown on the login page  # noqa: S105


@dataclass(frozen=True)
class Offering:
    """One credential configuration: display texts and the facts shared by every holder."""

    id: str
    type_key: str  # key of the CredentialType (type_metadata.build_types)
    name_nl: str
    name_en: str
    description_nl: str
    description_en: str
    background_color: str
    text_color: str
    facts: Mapping[str, Any] = field(default_factory=dict)
    kind: Kind = "sd-jwt"  # an SD-JWT VC, or an Open Badge in one of the W3C formats
    # Open Badges: educredential achievement fields (ECTS, participationType, ...)
    extension: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_open_badge(self) -> bool:
        return self.kind != "sd-jwt"

    @property
    def scope(self) -> str:
        # OpenID4VCI §5.1.2: scope values are per issuer; the configuration id is unique here.
        return self.id

    def subject_claims(self, student: Student) -> dict[str, Any]:
        """The claims about the holder for this kind of credential."""
        claims: dict[str, Any] = {
            "givenName": student.given_name,
            "familyName": student.family_name,
        }
        if self.type_key == "diploma":
            claims["dateOfBirth"] = student.date_of_birth
        return claims


def _microcredential(
    id: str,
    title: str,
    name_en: str,
    description_nl: str,
    description_en: str,
    colors: tuple[str, str],
    **facts: Any,
) -> Offering:
    common = {
        "attestation_legal_category": "non-qualified-EAA",
        "title": title,
        "issuerCountry": "NL",
        "awardingBody": INSTITUTION_NL,
        "awardingBodyHomepage": INSTITUTION_HOMEPAGE,
        "awardingBodyIdentifier": INSTITUTION_ID,
        "qualityAssurance": QUALITY_FRAMEWORK,
        "languageOfAssessment": "nl",
        "learningActivityType": "Cursus (microcredential)",
    }
    return Offering(
        id=id,
        type_key="microcredential",
        name_nl=title,
        name_en=name_en,
        description_nl=description_nl,
        description_en=description_en,
        background_color=colors[0],
        text_color=colors[1],
        facts={**common, **facts},
    )


CATALOG: tuple[Offering, ...] = (
    _microcredential(
        "mc-circulair-ontwerpen",
        "Circulair ontwerpen in de bouw",
        "Circular design in construction",
        "Microcredential, 5 EC, EQF 6: circulaire bouwprincipes toepassen in een ontwerp.",
        "Micro-credential, 5 ECTS, EQF 6: applying circular building principles in a design.",
        ("#1B5E20", "#FFFFFF"),
        learningOutcomes=[
            "Past de principes van circulair bouwen (R-ladder, losmaakbaarheid) toe in een "
            "bouwkundig ontwerp.",
            "Berekent de milieuprestatie van een ontwerp (MPG) en onderbouwt ontwerpkeuzes "
            "daarmee.",
            "Stelt een materialenpaspoort op voor een bouwdeel.",
            "Adviseert een opdrachtgever over hergebruik van bouwmaterialen in een "
            "renovatieproject.",
        ],
        notionalWorkload="5 ECTS",
        level="EQF 6",
        nationalQualificationsFrameworkLevel="NLQF 6",
        typeOfAssessment="Beroepsproduct (circulair ontwerpvoorstel) met mondelinge verdediging",
        formOfParticipation="Blended: online colleges en werkateliers op locatie",
        idVerificationMethod="Identiteit gecontroleerd bij de mondelinge verdediging op locatie",
        fieldOfEducation="0732",
        entryRequirements="Hbo-werk- en denkniveau; werkzaam in de bouwsector",
        stackable=True,
        partOfQualification="Associate degree Bouwkunde (Hogeschool Demo)",
        grade="8,0",
        gradingScheme="Nederlandse schaal 1-10; 5,5 of hoger is voldoende",
    ),
    _microcredential(
        "mc-data-analyse-python",
        "Data-analyse met Python",
        "Data analysis with Python",
        "Microcredential, 3 EC, EQF 5: data inlezen, opschonen, analyseren en visualiseren.",
        "Micro-credential, 3 ECTS, EQF 5: loading, cleaning, analysing and visualising data.",
        ("#0D47A1", "#FFFFFF"),
        learningOutcomes=[
            "Leest gestructureerde data in en schoont deze op met pandas.",
            "Voert beschrijvende analyses uit en interpreteert de uitkomsten.",
            "Maakt heldere visualisaties voor een niet-technisch publiek.",
            "Documenteert een reproduceerbare analyse in een notebook.",
        ],
        notionalWorkload="3 ECTS",
        level="EQF 5",
        nationalQualificationsFrameworkLevel="NLQF 5",
        typeOfAssessment="Digitaal tentamen (gesurveilleerd) en portfolio met drie analyses",
        formOfParticipation="Online, in eigen tempo met wekelijkse begeleiding",
        idVerificationMethod="Online surveillance met identiteitscontrole (ID-bewijs)",
        fieldOfEducation="0613",
        entryRequirements="Geen programmeerervaring vereist",
        stackable=True,
        partOfQualification="Minor Data Science (Hogeschool Demo)",
    ),
    _microcredential(
        "mc-zorgtechnologie",
        "Zorgtechnologie in de praktijk",
        "Healthcare technology in practice",
        "Microcredential, 4 EC, EQF 6: zorgtechnologie kiezen, invoeren en evalueren.",
        "Micro-credential, 4 ECTS, EQF 6: choosing, introducing and evaluating care technology.",
        ("#880E4F", "#FFFFFF"),
        learningOutcomes=[
            "Analyseert de zorgvraag van een cliënt en kiest passende zorgtechnologie.",
            "Begeleidt de invoering van een technologie in een zorgteam.",
            "Weegt ethische en privacyaspecten van zorgtechnologie af.",
            "Evalueert het effect van een ingezette technologie met cliënt en team.",
        ],
        notionalWorkload="4 ECTS",
        level="EQF 6",
        nationalQualificationsFrameworkLevel="NLQF 6",
        typeOfAssessment="Praktijkopdracht met reflectieverslag (portfolio) en criteriumgericht "
        "interview",
        formOfParticipation="Op locatie: werkplekleren en vier bijeenkomsten",
        idVerificationMethod="Identiteit gecontroleerd bij het criteriumgericht interview",
        fieldOfEducation="0913",
        entryRequirements="Werkzaam in zorg of welzijn op mbo-4- of hbo-niveau",
        stackable=False,
    ),
    Offering(
        id="diploma-bachelor-bouwkunde",
        type_key="diploma",
        name_nl="Bachelor Bouwkunde",
        name_en="Bachelor of Built Environment",
        description_nl="Diploma van de hbo-bacheloropleiding Bouwkunde (240 EC).",
        description_en="Degree certificate, bachelor programme Built Environment (240 ECTS).",
        background_color="#263238",
        text_color="#FFD54F",
        facts={
            "title": "Bouwkunde",
            "degree": "Bachelor of Science",
            "awardingBody": INSTITUTION_NL,
            "issuerCountry": "NL",
            "graduationDate": "2025-07-04",
            "notionalWorkload": "240 ECTS",
            "level": "EQF 6",
            "nationalQualificationsFrameworkLevel": "NLQF 6",
            "fieldOfEducation": "0732",
            "qualityAssurance": "Door de NVAO geaccrediteerde opleiding",
            "languageOfInstruction": "nl",
            "awardingBodyIdentifier": INSTITUTION_ID,
        },
    ),
)


def _open_badge(base: Offering, kind: Kind, suffix: str, how_nl: str, how_en: str) -> Offering:
    return Offering(
        id=f"ob3-{base.id.removeprefix('mc-')}-{suffix}",
        type_key=base.type_key,
        name_nl=f"{base.name_nl} (Open Badge)",
        name_en=f"{base.name_en} (Open Badge)",
        description_nl=f"Open Badge 3.0 {how_nl}. {base.description_nl}",
        description_en=f"Open Badge 3.0 {how_en}. {base.description_en}",
        background_color="#4A148C",
        text_color="#FFFFFF",
        facts=base.facts,
        kind=kind,
        extension={
            "ECTS": 5.0,
            "EQF": 6,
            "participationType": "onsite or blended",
            "assessmentType": "application of a skill",
            "identityChecked": True,
            "supervisionType": "onsite with identity verification",
            "educationProgramIdentifier": "34253",  # a made-up CROHO-style code
            "grade": "8,0",
        },
    )


OPEN_BADGES: tuple[Offering, ...] = (
    _open_badge(
        CATALOG[0],
        "jwt_vc_json",
        "jwt",
        "als VC-JWT (jwt_vc_json), zoals edubadges die uitgeeft",
        "as a VC-JWT (jwt_vc_json), the way edubadges issues it",
    ),
    _open_badge(
        CATALOG[0],
        "ldp_vc",
        "ldp",
        "met een Data Integrity-handtekening (ldp_vc, eddsa-rdfc-2022) en intrekbaar",
        "with a Data Integrity proof (ldp_vc, eddsa-rdfc-2022), revocable",
    ),
)
OB3_JWT = OPEN_BADGES[0].id  # "ob3-circulair-ontwerpen-jwt"
OB3_LDP = OPEN_BADGES[1].id  # "ob3-circulair-ontwerpen-ldp"

BY_ID: Mapping[str, Offering] = {offering.id: offering for offering in (*CATALOG, *OPEN_BADGES)}

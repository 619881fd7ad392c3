"""What the 1EdTech Open Badges 3.0 JSON schema says, as data for ``open_badges.check``: its
classes (``CLASSES``) and the closed vocabularies of OB 3.0 Appendix B.3 ("Enumerated
Vocabularies"). A vocabulary may be extended by a term that starts with ``ext:``; the
schema's pattern for that, ``(ext:)[a-z|A-Z|0-9|.|-|_]+``, is not anchored."""

from __future__ import annotations

import re

_IDENTIFIER_TYPES = frozenset(
    [
        "name",
        "sourcedId",
        "systemId",
        "productId",
        "userName",
        "accountId",
        "emailAddress",
        "nationalIdentityNumber",
        "isbn",
        "issn",
        "lisSourcedId",
        "oneRosterSourcedId",
        "sisSourcedId",
        "ltiContextId",
        "ltiDeploymentId",
        "ltiToolId",
        "ltiPlatformId",
        "ltiUserId",
        "identifier",
    ]
)
VOCABULARIES: dict[str, frozenset[str]] = {
    "AchievementType": frozenset(
        [
            "Achievement",
            "ApprenticeshipCertificate",
            "Assessment",
            "Assignment",
            "AssociateDegree",
            "Award",
            "Badge",
            "BachelorDegree",
            "Certificate",
            "CertificateOfCompletion",
            "Certification",
            "CommunityService",
            "Competency",
            "Course",
            "CoCurricular",
            "Degree",
            "Diploma",
            "DoctoralDegree",
            "Fieldwork",
            "GeneralEducationDevelopment",
            "JourneymanCertificate",
            "LearningProgram",
            "License",
            "Membership",
            "ProfessionalDoctorate",
            "QualityAssuranceCredential",
            "MasterCertificate",
            "MasterDegree",
            "MicroCredential",
            "ResearchDoctorate",
            "SecondarySchoolDiploma",
        ]
    ),
    "AlignmentTargetType": frozenset(
        [
            "ceasn:Competency",
            "ceterms:Credential",
            "CFItem",
            "CFRubric",
            "CFRubricCriterion",
            "CFRubricCriterionLevel",
            "CTDL",
        ]
    ),
    "IdentifierType": _IDENTIFIER_TYPES,
    "ResultType": frozenset(
        [
            "GradePointAverage",
            "LetterGrade",
            "Percent",
            "PerformanceLevel",
            "PredictedScore",
            "RawScore",
            "Result",
            "RubricCriterion",
            "RubricCriterionLevel",
            "RubricScore",
            "ScaledScore",
            "Status",
        ]
    ),
    "ResultStatus": frozenset(
        ["Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"]
    ),
}
_CLOSED = frozenset({"ResultStatus"})  # the schema allows no ext: term for these
_EXTENSION = re.compile(r"ext:[A-Za-z0-9._]")


def is_term(vocabulary: str, value: object) -> bool:
    """Whether ``value`` is a term of ``vocabulary`` (a key of ``VOCABULARIES``) or, where
    extensions are allowed, an ``ext:`` term."""
    if not isinstance(value, str):
        return False
    if value in VOCABULARIES[vocabulary]:
        return True
    return vocabulary not in _CLOSED and bool(_EXTENSION.search(value))


# The classes of the 1EdTech schema: how ``type`` is given ("list": a list of IRIs that has
# the class, "plain": the class IRI itself, "text": any IRI, "": none), the required
# members, and the shape of each member the schema constrains: a class, "[class]" a list of
# them, "text"/"number"/"bool"/"jws" a JSON value of that kind, a vocabulary of
# ``VOCABULARIES``, "ProfileRef" a Profile or its IRI, "class+" one of them or a
# non-empty list: the schema wants a list of proofs and one status, but VC Data Integrity
# allows one proof object (as we sign) and VCDM 2.0 §4.10 several status entries.
_Class = tuple[str, tuple[str, ...], dict[str, str]]


def _texts(names: str) -> dict[str, str]:
    return dict.fromkeys(names.split(), "text")


_CREDENTIAL = {
    **_texts("id name description awardedDate validFrom validUntil"),
    "credentialSchema": "[CredentialSchema]",
    "credentialStatus": "CredentialStatus+",
    "refreshService": "RefreshService",
    "termsOfUse": "[TermsOfUse]",
    "proof": "Proof+",
}
_ENDORSED = {"endorsement": "[EndorsementCredential]", "endorsementJwt": "[jws]"}
CLASSES: dict[str, _Class] = {
    "AchievementCredential": (
        "",
        (),
        {
            **_CREDENTIAL,
            **_ENDORSED,
            "credentialSubject": "AchievementSubject",
            "evidence": "[Evidence]",
            "image": "Image",
            "issuer": "ProfileRef",
        },
    ),
    "EndorsementCredential": (
        "",
        (),
        {**_CREDENTIAL, "credentialSubject": "EndorsementSubject", "issuer": "ProfileRef"},
    ),
    "AchievementSubject": (
        "list",
        ("achievement",),
        {
            **_texts("id activityEndDate activityStartDate licenseNumber narrative role term"),
            "creditsEarned": "number",
            "achievement": "Achievement",
            "identifier": "[IdentityObject]",
            "image": "Image",
            "result": "[Result]",
            "source": "Profile",
        },
    ),
    "Achievement": (
        "list",
        ("id", "criteria", "description", "name"),
        {
            **_texts("id description fieldOfStudy humanCode inLanguage name specialization"),
            **_texts("version"),
            **_ENDORSED,
            "achievementType": "AchievementType",
            "creditsAvailable": "number",
            "alignment": "[Alignment]",
            "creator": "Profile",
            "criteria": "Criteria",
            "image": "Image",
            "otherIdentifier": "[IdentifierEntry]",
            "related": "[Related]",
            "resultDescription": "[ResultDescription]",
            "tag": "[text]",
        },
    ),
    "Profile": (
        "list",
        ("id",),
        {
            **_texts("id name url phone description email official dateOfBirth"),
            **_texts("familyName givenName additionalName patronymicName familyNamePrefix"),
            **_texts("honorificPrefix honorificSuffix"),
            **_ENDORSED,
            "image": "Image",
            "address": "Address",
            "otherIdentifier": "[IdentifierEntry]",
            "parentOrg": "Profile",
        },
    ),
    "ResultDescription": (
        "list",
        ("id", "name", "resultType"),
        {
            **_texts("id name requiredLevel requiredValue valueMax valueMin"),
            "resultType": "ResultType",
            "alignment": "[Alignment]",
            "allowedValue": "[text]",
            "rubricCriterionLevel": "[RubricCriterionLevel]",
        },
    ),
    "RubricCriterionLevel": (
        "list",
        ("id", "name"),
        {**_texts("id description level name points"), "alignment": "[Alignment]"},
    ),
    "Result": (
        "list",
        (),
        {
            **_texts("achievedLevel resultDescription value"),
            "status": "ResultStatus",
            "alignment": "[Alignment]",
        },
    ),
    "Alignment": (
        "list",
        ("targetName", "targetUrl"),
        {
            **_texts("targetCode targetDescription targetName targetFramework targetUrl"),
            "targetType": "AlignmentTargetType",
        },
    ),
    "Evidence": ("list", (), _texts("id narrative name description genre audience")),
    "Related": ("list", ("id",), _texts("id inLanguage version")),
    "EndorsementSubject": ("list", ("id",), _texts("id endorsementComment")),
    "Address": (
        "list",
        (),
        {
            **_texts("addressCountry addressCountryCode addressRegion addressLocality"),
            **_texts("streetAddress postOfficeBoxNumber postalCode"),
            "geo": "GeoCoordinates",
        },
    ),
    "GeoCoordinates": (
        "plain",
        ("latitude", "longitude"),
        dict.fromkeys(("latitude", "longitude"), "number"),
    ),
    "IdentityObject": (
        "plain",
        ("hashed", "identityHash", "identityType"),
        {
            **_texts("identityHash salt"),
            "hashed": "bool",
            "identityType": "IdentifierType",
        },
    ),
    "IdentifierEntry": (
        "plain",
        ("identifier", "identifierType"),
        {"identifier": "text", "identifierType": "IdentifierType"},
    ),
    "Image": ("plain", ("id",), _texts("id caption")),
    "Criteria": ("", (), _texts("id narrative")),
    "CredentialSchema": ("text", ("id",), _texts("id")),
    "CredentialStatus": ("text", ("id",), _texts("id")),
    "RefreshService": ("text", ("id",), _texts("id")),
    "TermsOfUse": ("text", (), _texts("id")),
    "Proof": (
        "text",
        (),
        _texts("created cryptosuite challenge domain nonce proofPurpose proofValue")
        | _texts("verificationMethod"),
    ),
}
LEAVES: dict[str, tuple[type | tuple[type, ...], str]] = {
    "text": (str, "text"),
    "number": ((int, float), "a number"),
    "bool": (bool, "true or false"),
}

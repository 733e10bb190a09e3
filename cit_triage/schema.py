"""The public data model: a ``Call`` goes in, a ``Suggestion`` comes out.

Both are pydantic v2 models, so they validate, serialize to JSON and publish a JSON schema.
Every span is a pair of character offsets into the *original* notes, so a CAD screen can
highlight exactly what a reason rests on.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .errors import Errors

#: Longest notes the library accepts. A CAD page with unit-status tables can be long;
#: anything larger than this is not a call's notes.
MAX_NOTES_CHARS = 65_536



class Response(str, enum.Enum):
    """The three responses, ordered by the resources they send."""

    patrol = "patrol"
    cit = "cit"
    co_responder = "co_responder"

    @property
    def rank(self) -> int:
        return _RANK[self.value]

    def __str__(self) -> str:  # "cit", not "Response.cit", in f-strings and CSV
        return self.value


RESPONSES: tuple[str, ...] = ("patrol", "cit", "co_responder")
_RANK = {name: i for i, name in enumerate(RESPONSES)}


class Assertion(str, enum.Enum):
    """How the notes state a concept (ConText categories)."""

    affirmed = "affirmed"
    negated = "negated"
    historical = "historical"
    hypothetical = "hypothetical"
    uncertain = "uncertain"
    unknown = "unknown"


class Call(BaseModel):
    """One 911 call as the call-taker knows it now.

    Only ``notes`` is required; every other field is optional CAD data. Unknown fields are
    rejected, so a misspelled field name is an error rather than silently ignored.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=True)

    notes: str = Field(..., description="Free-text notes typed by the call-taker (CAD narrative).")
    call_type: str | None = Field(None, max_length=200, description="Agency or APCO call type, e.g. EDP, SUICTHRT, WELFARE.")
    priority: int | None = Field(None, ge=0, le=9, description="CAD priority, 0-9.")
    caller_relation: str | None = Field(None, max_length=100, description="Caller's relation to the person of concern: self, family, neighbor, ...")
    location_type: str | None = Field(None, max_length=100, description="residence, business, street, school, hospital, jail, ...")
    weapons_reported: Literal["yes", "no", "unknown"] | None = Field(None, description="Whether the caller reported a weapon.")
    prior_crisis_contacts: int | None = Field(None, ge=0, le=100_000, description="Known prior crisis contacts at this person/address.")
    received_at: datetime | None = Field(None, description="When the call was received (ISO 8601).")
    call_id: str | None = Field(None, max_length=128, description="CAD incident number; echoed back, never interpreted.")

    @field_validator("notes", mode="before")
    @classmethod
    def _notes_are_text(cls, value: object) -> str:
        if isinstance(value, bytes):
            try:
                value = value.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ValueError(Errors.E003.format(detail=f"invalid UTF-8 at byte {exc.start}")) from None
        if not isinstance(value, str):
            raise ValueError(Errors.E004.format(type=type(value).__name__))
        if len(value) > MAX_NOTES_CHARS:
            raise ValueError(Errors.E002.format(n=len(value), limit=MAX_NOTES_CHARS))
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(Errors.E003.format(detail=f"unpaired surrogate at character {exc.start}")) from None
        if "\x00" in value:
            raise ValueError(Errors.E003.format(detail="contains a NUL character"))
        return value

    @field_validator("weapons_reported", mode="before")
    @classmethod
    def _weapons_word(cls, value: object) -> object:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, str):
            word = value.strip().lower()
            return {"y": "yes", "true": "yes", "n": "no", "false": "no", "unk": "unknown", "": None}.get(word, word)
        return value

    @model_validator(mode="after")
    def _something_to_triage(self) -> "Call":
        if not self.notes.strip() and not (self.call_type and self.call_type.strip()):
            raise ValueError(Errors.E001)
        return self


class TextSpan(BaseModel):
    """Characters ``start:end`` of the original notes."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    text: str


class RiskFactor(BaseModel):
    """A concept found in the notes, with how it is stated and who it is about."""

    model_config = ConfigDict(frozen=True)

    concept: str = Field(..., description="Concept id, e.g. FIREARM, PSYCHOSIS.")
    description: str = Field(..., description="The concept in words.")
    start: int
    end: int
    text: str = Field(..., description="The original characters matched.")
    assertion: Assertion
    experiencer: Literal["caller", "other", "unknown"] = "unknown"
    cue: TextSpan | None = Field(None, description="The words that set the assertion, e.g. 'denies'.")
    counts_as: Literal["crisis", "risk", "context", "none"] = Field(
        "none", description="What it contributes to the rules: a crisis indicator, an elevated-risk sign, context, or nothing (negated, history ...).")


class Reason(BaseModel):
    """Why the suggestion is what it is: one rule firing or one model feature."""

    model_config = ConfigDict(frozen=True)

    source: Literal["rule", "model"]
    id: str = Field(..., description="Rule id or model feature name.")
    message: str = Field(..., description="One line a dispatcher can read.")
    spans: list[TextSpan] = Field(default_factory=list)
    weight: float | None = Field(None, description="Model: contribution to the suggested response's score.")
    effect: str | None = Field(None, description="Rule: what it did, e.g. 'cit -> co_responder'.")


class Advisory(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    message: str


class Question(BaseModel):
    model_config = ConfigDict(frozen=True)

    topic: Literal["behavior", "danger", "weapons", "history", "violence"]
    text: str


class Suggestion(BaseModel):
    """The explained suggestion for one call. The dispatcher decides."""

    model_config = ConfigDict(frozen=True)

    response: Response
    probabilities: dict[str, float] = Field(..., description="Calibrated model probabilities per response.")
    confidence: float = Field(..., description="Model probability of the suggested response.")
    model_response: Response = Field(..., description="What the model alone suggested, before the rules.")
    needs_review: bool
    review_reasons: list[str] = Field(default_factory=list)
    questions_to_ask: list[Question] = Field(default_factory=list)
    risk_factors: list[RiskFactor] = Field(default_factory=list)
    reasons: list[Reason] = Field(default_factory=list)
    advisories: list[Advisory] = Field(default_factory=list)
    model_version: str
    policy_version: str
    summary: str
    call_id: str | None = None


def trusted(cls: type[BaseModel], **values):
    """Build ``cls`` from values the engine made itself, every field given, without validation.

    ``model_construct`` still walks every field for defaults and aliases; on the suggestion
    path (a dozen objects per call) that costs more than the model's arithmetic. This sets the
    same instance state directly. ``tests/core/test_inputs.py`` re-validates the result.
    """
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj

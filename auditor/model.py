"""The registry-neutral trial record every reader produces and every extractor consumes.

Readers map what a source says onto these fields and keep, for each value, the original text and
where it came from (`at`: a JSON pointer for JSON/YAML, an XPath for XML, `row N, column C` for
tables; `line` when the source is a text file a person edits). Readers never interpret: they do
not decide whether a trial is randomised or how long its follow-up is; `extract/` does that.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from datetime import date
from typing import Any, Literal, NamedTuple, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Text(_Model):
    """A value as the source gave it, with its location."""

    value: str
    at: str = Field(description="JSON pointer, XPath or cell reference inside the source")
    line: int | None = Field(default=None, description="1-based line in the source file, when known")
    column: int | None = None

    def __str__(self) -> str:
        return self.value


class Number(_Model):
    """A numeric value the source states as a number (not parsed from prose)."""

    value: float
    at: str
    line: int | None = None
    column: int | None = None
    text: str | None = Field(default=None, description="the original text when it was not a plain number")


class Arm(_Model):
    label: Text | None = None
    type: Text | None = None  # EXPERIMENTAL, ACTIVE_COMPARATOR, PLACEBO_COMPARATOR, ...
    description: Text | None = None
    intervention_names: list[Text] = Field(default_factory=list)
    # Structured protocol-file fields (registries only give prose).
    components: list[Text] = Field(default_factory=list)
    sessions: Number | None = None
    duration_weeks: Number | None = None


class Intervention(_Model):
    name: Text | None = None
    type: Text | None = None  # DRUG, BEHAVIORAL, DEVICE, PROCEDURE, ...
    description: Text | None = None
    arm_labels: list[Text] = Field(default_factory=list)
    other_names: list[Text] = Field(default_factory=list)


OutcomeKind = Literal["primary", "secondary", "other"]


class TimePoint(_Model):
    """A time point a protocol file states as structured data (registries give `time_frame` text)."""

    weeks: Number
    anchor: Literal["baseline", "treatment_start", "end_of_treatment", "procedure", "unknown"] = "baseline"


class Outcome(_Model):
    kind: OutcomeKind
    measure: Text | None = None
    description: Text | None = None
    time_frame: Text | None = None
    domain: Text | None = None  # protocol files name the domain (pain, function, hrqol, safety, ...)
    instrument: Text | None = None
    time_points: list[TimePoint] = Field(default_factory=list)


class Design(_Model):
    study_type: Text | None = None  # INTERVENTIONAL, OBSERVATIONAL, EXPANDED_ACCESS
    allocation: Text | None = None  # RANDOMIZED, NON_RANDOMIZED, NA, or registry prose
    intervention_model: Text | None = None
    masking: Text | None = None  # NONE, SINGLE, ... or prose
    who_masked: list[Text] = Field(default_factory=list)
    phases: list[Text] = Field(default_factory=list)
    description: Text | None = None  # free-text design statement (ICTRP `Study_design`, protocol notes)


class Enrollment(_Model):
    count: Number | None = None
    type: Text | None = None  # ACTUAL / ESTIMATED (ANTICIPATED is normalised by readers to ESTIMATED)
    per_arm: list[Number] = Field(default_factory=list)  # protocol files may state the target per arm


class SampleSizePlan(_Model):
    """A protocol file's sample-size section (SPIRIT item 14)."""

    target: Number | None = None
    calculation: Text | None = None
    power: Number | None = None
    alpha: Number | None = None
    effect_size: Text | None = None
    standard_deviation: Number | None = None
    attrition: Number | None = None


class SafetyPlan(_Model):
    """How adverse events are defined and collected (SPIRIT 2025 item 17)."""

    definition: Text | None = None
    collection_method: Text | None = None  # systematic / spontaneous / prose
    time_frame: Text | None = None
    assessed_by: Text | None = None


class Dates(_Model):
    start: Text | None = None  # as given: "2015-08", "2015-08-03", "08/03/2015"
    start_type: Text | None = None
    registered: Text | None = None
    start_parsed: date | None = None
    registered_parsed: date | None = None
    start_precision: Literal["day", "month", "year"] | None = None
    completion: Text | None = None  # (primary) completion date, as given
    last_update: Text | None = None  # when the registry last updated the record, as given
    last_update_parsed: date | None = None


class AdverseEventGroup(_Model):
    title: Text | None = None
    serious_affected: Number | None = None
    other_affected: Number | None = None
    at_risk: Number | None = None


class Results(_Model):
    posted: bool = False
    posted_at: str | None = Field(default=None, description="where the results section starts")
    outcome_titles: list[Text] = Field(default_factory=list)  # measures with posted results
    adverse_event_groups: list[AdverseEventGroup] = Field(default_factory=list)
    adverse_events_time_frame: Text | None = None
    adverse_events_description: Text | None = None
    adverse_event_terms: int = 0


class RegisteredVersion(_Model):
    """One registry version of a record (from `fetch --history`), as far as audits compare versions."""

    version: int
    date: str = Field(description="the date the registry gives the version (YYYY-MM-DD)")
    primary_outcomes: list[Outcome] = Field(default_factory=list)


class History(_Model):
    """A record's registry versions: the one in force when enrolment started and the latest.

    Mapped, not judged: the reader copies what `FOLDER/.history/NCT....json` says; the pointers of
    the outcomes (`at`) name the history file and a JSON pointer inside it (`file#/at_start/...`)."""

    path: str = Field(description="the history file")
    start_date: str | None = Field(default=None, description="the start date the version was chosen for (YYYY-MM-DD)")
    start_precision: Literal["day", "month", "year"] | None = None
    first: RegisteredVersion | None = Field(default=None, description="the first version (date only, no outcomes)")
    at_start: RegisteredVersion | None = Field(default=None, description="None: nothing was registered on or before the start")
    latest: RegisteredVersion


class SourceRef(_Model):
    path: str = Field(description="file (or archive member) the record came from")
    format: str = Field(description="reader name, e.g. ctgov-v2, protocol")
    index: int = Field(default=0, description="0-based position of the record in its file")
    digest: str | None = Field(default=None, description="hash of the record's own source text, where the reader "
                                                         "has it as one piece (JSON readers: the study object)")


class TrialRecord(_Model):
    source: SourceRef
    registry: str  # "ClinicalTrials.gov", "protocol", "ICTRP:ISRCTN", ...
    trial_id: str | None = None
    secondary_ids: list[str] = Field(default_factory=list)
    title: Text | None = None
    official_title: Text | None = None
    acronym: str | None = None
    status: Text | None = None
    sponsor: Text | None = None  # lead sponsor / primary sponsor
    countries: list[Text] = Field(default_factory=list)  # countries of recruitment
    conditions: list[Text] = Field(default_factory=list)
    keywords: list[Text] = Field(default_factory=list)
    summary: Text | None = None
    description: Text | None = None
    eligibility: Text | None = None
    pain_duration_weeks: Number | None = None  # protocol files: minimum LBP duration for inclusion
    design: Design = Design()
    enrollment: Enrollment = Enrollment()
    sample_size: SampleSizePlan = SampleSizePlan()
    arms: list[Arm] = Field(default_factory=list)
    interventions: list[Intervention] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(default_factory=list)
    safety: SafetyPlan = SafetyPlan()
    dates: Dates = Dates()
    results: Results = Results()
    history: History | None = Field(default=None, description="registry versions, when `fetch --history` kept them")
    positions: dict[str, tuple[int, int]] = Field(
        default={}, description="files a person edits (protocol files): line and column of every field, by JSON pointer")

    @property
    def label(self) -> str:
        """How a person would name this record in a message."""
        where = self.source.path if self.source.index == 0 else f"{self.source.path}[{self.source.index}]"
        return f"{self.trial_id} ({where})" if self.trial_id else where


# Building records without validation, for readers whose values already have the field types.
#
# A validated constructor checks every value (~6 us a Text; a ClinicalTrials.gov study maps into
# ~80 models). `build` gives the same object a validated construction of the same keywords gives:
# the same field values in field order, the unset fields their defaults (fresh copies of mutable
# ones), the same `model_fields_set`. It checks nothing: only for values of the declared types (a
# reader that cannot promise that, for one value, constructs that model the validated way).
# tests/test_equivalence.py holds the two constructions equal on every real record.

M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__


class _Plan(NamedTuple):
    defaults: dict[str, Any]  # every field in declaration order: its default (None where made fresh or required)
    fresh: tuple[tuple[str, Callable[[], Any]], ...]  # fields whose default is made anew for each model
    required: frozenset[str]
    names: frozenset[str]


_PLANS: dict[type[BaseModel], _Plan] = {}


def _plan(cls: type[BaseModel]) -> _Plan:
    """How a validated construction fills the unset fields of `cls` (pydantic copies a mutable
    default: smart_deepcopy)."""
    defaults: dict[str, Any] = {}
    fresh: list[tuple[str, Callable[[], Any]]] = []
    required = []
    for name, info in cls.model_fields.items():
        default, factory = info.default, cast("Callable[[], Any] | None", info.default_factory)
        defaults[name] = None
        if factory is not None:
            fresh.append((name, factory))
        elif info.is_required():
            required.append(name)
        elif isinstance(default, BaseModel):
            # A default model (Design()) is deep-copied: fields unset, each its default.
            assert not default.model_fields_set and default == build(type(default)), name
            fresh.append((name, _builder(type(default))))
        elif isinstance(default, (list, dict, set)):
            fresh.append((name, default.copy if not default else functools.partial(copy.deepcopy, default)))
        else:
            defaults[name] = default
    return _Plan(defaults, tuple(fresh), frozenset(required), frozenset(defaults))


def _builder(cls: type[BaseModel]) -> Callable[[], BaseModel]:
    return lambda: build(cls)


def build(cls: type[M], **values: Any) -> M:
    """`cls(**values)` without validation (see above): the values must have the field types."""
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _plan(cls)
    if not plan.names.issuperset(values) or not plan.required.issubset(values):
        raise TypeError(f"{cls.__name__}: unknown fields {sorted(set(values) - plan.names)} "
                        f"or missing {sorted(plan.required - set(values))}")
    fields = {**plan.defaults, **values}  # the defaults' order: the fields' order
    for name, make in plan.fresh:
        if name not in values:
            fields[name] = make()
    model = cls.__new__(cls)
    _set(model, "__dict__", fields)
    _set(model, "__pydantic_fields_set__", set(values))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


def new_text(value: str, at: str) -> Text:
    """`Text(value=value, at=at)` without validation (`build`, for the commonest model)."""
    model = Text.__new__(Text)
    _set(model, "__dict__", {"value": value, "at": at, "line": None, "column": None})
    _set(model, "__pydantic_fields_set__", {"value", "at"})
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model

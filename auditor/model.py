"""The registry-neutral trial record every reader produces and every extractor consumes.

Readers map what a source says onto these fields and keep, for each value, the original text and
where it came from (`at`: a JSON pointer for JSON/YAML, an XPath for XML, `row N, column C` for
tables; `line` when the source is a text file a person edits). Readers never interpret: they do
not decide whether a trial is randomised or how long its follow-up is; `extract/` does that.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, TypeVar

import msgspec
from msgspec import Meta, field


class _Model(msgspec.Struct):
    """The base of the record types: msgspec Structs, constructed by keyword (each class says
    `kw_only=True`: the option covers the fields a class declares). Construction checks no value
    (see `checked`); an unknown keyword raises TypeError."""


class Text(_Model, kw_only=True):
    """A value as the source gave it, with its location."""

    value: str
    at: Annotated[str, Meta(description="JSON pointer, XPath or cell reference inside the source")]
    line: Annotated[int | None, Meta(description="1-based line in the source file, when known")] = None
    column: int | None = None
    # Evidence quotes the source's words, never a code the reader made of them.
    original: Annotated[str | None, Meta(description="the source's own words where `value` is a code the reader "
                                                     "mapped them to (a protocol file's `outcome_assessors: true` "
                                                     "is OUTCOMES_ASSESSOR); None when `value` is the source's text")] = None

    def __str__(self) -> str:
        return self.value


class Number(_Model, kw_only=True):
    """A numeric value the source states as a number (not parsed from prose)."""

    value: float
    at: str
    line: int | None = None
    column: int | None = None
    text: Annotated[str | None, Meta(description="the original text when it was not a plain number")] = None


class Arm(_Model, kw_only=True):
    label: Text | None = None
    type: Text | None = None  # EXPERIMENTAL, ACTIVE_COMPARATOR, PLACEBO_COMPARATOR, ...
    description: Text | None = None
    intervention_names: list[Text] = []
    # Structured protocol-file fields (registries only give prose).
    components: list[Text] = []
    sessions: Number | None = None
    duration_weeks: Number | None = None


class Intervention(_Model, kw_only=True):
    name: Text | None = None
    type: Text | None = None  # DRUG, BEHAVIORAL, DEVICE, PROCEDURE, ...
    description: Text | None = None
    arm_labels: list[Text] = []
    other_names: list[Text] = []


OutcomeKind = Literal["primary", "secondary", "other"]


class TimePoint(_Model, kw_only=True):
    """A time point a protocol file states as structured data (registries give `time_frame` text)."""

    weeks: Number
    anchor: Literal["baseline", "treatment_start", "end_of_treatment", "procedure", "unknown"] = "baseline"


class Outcome(_Model, kw_only=True):
    kind: OutcomeKind
    measure: Text | None = None
    description: Text | None = None
    time_frame: Text | None = None
    domain: Text | None = None  # protocol files name the domain (pain, function, hrqol, safety, ...)
    instrument: Text | None = None
    time_points: list[TimePoint] = []


class Design(_Model, kw_only=True):
    study_type: Text | None = None  # INTERVENTIONAL, OBSERVATIONAL, EXPANDED_ACCESS
    allocation: Text | None = None  # RANDOMIZED, NON_RANDOMIZED, NA, or registry prose
    intervention_model: Text | None = None
    masking: Text | None = None  # NONE, SINGLE, ... or prose
    who_masked: list[Text] = []
    phases: list[Text] = []
    description: Text | None = None  # free-text design statement (ICTRP `Study_design`, protocol notes)
    arm_count: Number | None = None  # the number of arms a registry field states (EU CTR E.8.2.4), as given


class Enrollment(_Model, kw_only=True):
    count: Number | None = None
    type: Text | None = None  # ACTUAL / ESTIMATED (ANTICIPATED is normalised by readers to ESTIMATED)
    per_arm: list[Number] = []  # protocol files may state the target per arm
    unread: Text | None = None  # the target-size field as written when it holds no number ("lots")


class SampleSizePlan(_Model, kw_only=True):
    """A protocol file's sample-size section (SPIRIT item 14)."""

    target: Number | None = None
    calculation: Text | None = None
    power: Number | None = None
    alpha: Number | None = None
    effect_size: Text | None = None
    standard_deviation: Number | None = None
    attrition: Number | None = None


class SafetyPlan(_Model, kw_only=True):
    """How adverse events are defined and collected (SPIRIT 2025 item 17)."""

    definition: Text | None = None
    collection_method: Text | None = None  # systematic / spontaneous / prose
    time_frame: Text | None = None
    assessed_by: Text | None = None


class Dates(_Model, kw_only=True):
    start: Text | None = None  # as given: "2015-08", "2015-08-03", "08/03/2015"
    start_type: Text | None = None
    registered: Text | None = None
    start_parsed: date | None = None
    registered_parsed: date | None = None
    start_precision: Literal["day", "month", "year"] | None = None
    completion: Text | None = None  # (primary) completion date, as given
    last_update: Text | None = None  # when the registry last updated the record, as given
    last_update_parsed: date | None = None


class AdverseEventGroup(_Model, kw_only=True):
    title: Text | None = None
    serious_affected: Number | None = None
    other_affected: Number | None = None
    at_risk: Number | None = None


class Results(_Model, kw_only=True):
    posted: bool = False
    posted_at: Annotated[str | None, Meta(description="where the results section starts")] = None
    outcome_titles: list[Text] = []  # measures with posted results
    adverse_event_groups: list[AdverseEventGroup] = []
    adverse_events_time_frame: Text | None = None
    adverse_events_description: Text | None = None
    adverse_event_terms: int = 0
    flag_only: Annotated[bool, Meta(description="the source only flags that results exist (ICTRP copies): "
                                                "no results content, so what the results say is unknown")] = False


class RegisteredVersion(_Model, kw_only=True):
    """One registry version of a record (from `fetch --history`), as far as audits compare versions."""

    version: int
    date: Annotated[str, Meta(description="the date the registry gives the version (YYYY-MM-DD)")]
    primary_outcomes: list[Outcome] = []


class History(_Model, kw_only=True):
    """A record's registry versions: the one in force when enrolment started and the latest.

    Mapped, not judged: the reader copies what `FOLDER/.history/NCT....json` says; the pointers of
    the outcomes (`at`) name the history file and a JSON pointer inside it (`file#/at_start/...`)."""

    path: Annotated[str, Meta(description="the history file")]
    start_date: Annotated[str | None, Meta(description="the start date the version was chosen for (YYYY-MM-DD)")] = None
    start_precision: Literal["day", "month", "year"] | None = None
    first: Annotated[RegisteredVersion | None, Meta(description="the first version (date only, no outcomes)")] = None
    at_start: Annotated[RegisteredVersion | None, Meta(description="None: nothing was registered on or before the start")] = None
    latest: RegisteredVersion


class SourceRef(_Model, kw_only=True):
    path: Annotated[str, Meta(description="file (or archive member) the record came from")]
    format: Annotated[str, Meta(description="reader name, e.g. ctgov-v2, protocol")]
    index: Annotated[int, Meta(description="0-based position of the record in its file")] = 0
    digest: Annotated[str | None, Meta(description="hash of the record's own source text, where the reader "
                                                "has it as one piece (JSON readers: the study object)")] = None


class TrialRecord(_Model, kw_only=True):
    source: SourceRef
    registry: str  # "ClinicalTrials.gov", "protocol", "ICTRP:ISRCTN", ...
    trial_id: str | None = None
    secondary_ids: list[str] = []
    title: Text | None = None
    official_title: Text | None = None
    acronym: str | None = None
    status: Text | None = None
    sponsor: Text | None = None  # lead sponsor / primary sponsor
    countries: list[Text] = []  # countries of recruitment
    conditions: list[Text] = []
    keywords: list[Text] = []
    summary: Text | None = None
    description: Text | None = None
    eligibility: Text | None = None
    pain_duration_weeks: Number | None = None  # protocol files: minimum LBP duration for inclusion
    design: Design = field(default_factory=Design)
    enrollment: Enrollment = field(default_factory=Enrollment)
    sample_size: SampleSizePlan = field(default_factory=SampleSizePlan)
    arms: list[Arm] = []
    interventions: list[Intervention] = []
    outcomes: list[Outcome] = []
    safety: SafetyPlan = field(default_factory=SafetyPlan)
    dates: Dates = field(default_factory=Dates)
    results: Results = field(default_factory=Results)
    history: Annotated[History | None, Meta(description="registry versions, when `fetch --history` kept them")] = None
    positions: Annotated[dict[str, tuple[int, int]], Meta(
        description="files a person edits (protocol files): line and column of every field, by JSON pointer")] = {}

    @property
    def label(self) -> str:
        """How a person would name this record in a message."""
        where = self.source.path if self.source.index == 0 else f"{self.source.path}[{self.source.index}]"
        return f"{self.trial_id} ({where})" if self.trial_id else where


# Checking a record's types. Construction checks nothing (a validated construction cost ~6 us a
# Text; a ClinicalTrials.gov study maps into ~80 of these): readers pass values of the declared
# types. Where a reader passes a value as the source has it (ctgov-v2's nctId and acronym),
# `checked` rejects a value of another type, as a validating constructor would.

S = TypeVar("S", bound=msgspec.Struct)


def checked(value: S) -> S:
    """`value` when every field (all the way down) holds its declared type; else
    msgspec.ValidationError (a ValueError) naming the first field that does not."""
    msgspec.convert(msgspec.to_builtins(value, builtin_types=(date,)), type(value))
    return value


def content_json(record: TrialRecord) -> bytes:
    """The record without its `source` as compact JSON (fields in declaration order, dates ISO):
    what identifies its content wherever it sits (batch's content_hash)."""
    return msgspec.json.encode({name: getattr(record, name) for name in record.__struct_fields__ if name != "source"})

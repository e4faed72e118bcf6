"""Legacy ClinicalTrials.gov XML (``<clinical_study>``, public.xsd; retired 2024, still in archives).

One study per file. ``at`` is an XPath into the file (``/clinical_study/primary_outcome[1]/time_frame``);
repeatable elements always carry their 1-based index.

| TrialRecord | legacy XML (under ``/clinical_study``) |
|---|---|
| trial_id | id_info/nct_id |
| secondary_ids | id_info/org_study_id, id_info/secondary_id[], id_info/nct_alias[] |
| title, official_title, acronym | brief_title, official_title, acronym |
| status | overall_status |
| conditions, keywords | condition[], keyword[] |
| summary, description | brief_summary/textblock, detailed_description/textblock (de-indented) |
| eligibility | eligibility/criteria/textblock (de-indented) |
| design.study_type, design.phases | study_type; phase as API v2 codes (``fields.phases``: "Phase 1/Phase 2" -> PHASE1, PHASE2; "N/A" -> NA; the words kept as ``original``) |
| design.allocation, intervention_model | study_design_info/allocation, intervention_model (text as given: "Randomized") |
| design.masking | study_design_info/masking, as given ("Double (Participant, Outcomes Assessor)") |
| design.who_masked | the roles in that masking text's brackets, in API v2 names (``OUTCOMES_ASSESSOR``) |
| design.description | study_design (pre-2017 free-text design: "Allocation: Randomized, ..., Masking: Double Blind (Subject, Investigator)"); when study_design_info is absent, allocation / masking / intervention model are taken from its labelled values (`fields.design_statement`) |
| enrollment.count / type | enrollment / enrollment/@type (Anticipated -> ESTIMATED, Actual -> ACTUAL) |
| arms[] | arm_group[]: arm_group_label, arm_group_type, description; intervention_names = names of the interventions whose arm_group_label lists the arm |
| interventions[] | intervention[]: intervention_type, intervention_name, description, arm_group_label[], other_name[] |
| outcomes[] | primary_outcome[] / secondary_outcome[] / other_outcome[]: measure, time_frame, description |
| dates.start / start_type | start_date / start_date/@type ("August 2015", "August 3, 2015") |
| dates.registered | study_first_submitted (firstreceived_date in files before 2017) |
| results.posted / posted_at | clinical_results present / its XPath |
| results.outcome_titles | clinical_results/outcome_list/outcome[]/title |
| results.adverse_event_groups | reported_events/group_list/group[]: title; serious_affected / other_affected / at_risk from the counts of the "Total" category of serious_events / other_events for that group_id |
| results.adverse_event_terms | events in serious_events and other_events outside the "Total" category |
| results.adverse_events_time_frame / description | reported_events/time_frame, reported_events/desc |

Dropped (no audit question depends on them): required_header, sponsors, source, oversight_info,
overall_official/contacts/locations, location_countries, references, links, browse (MeSH) terms,
verification/update dates, patient_data (IPD), provided documents, baseline and participant flow
of results. A ClinicalTrials.gov RSS search feed (a list of links) is recognised and rejected with
an error saying so, instead of "unknown format".
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from xml.etree.ElementTree import Element

from auditor.errors import InputError, RecordError
from auditor.model import (
    AdverseEventGroup,
    Arm,
    Design,
    Enrollment,
    Intervention,
    Number,
    Outcome,
    Results,
    SourceRef,
    Text,
    TrialRecord,
)
from auditor.sources import fields, xmlsafe

NAME = "ctgov-xml"
DESCRIPTION = "legacy ClinicalTrials.gov XML (<clinical_study>, one study per file)"

def sniff(head: bytes, name: str) -> bool:
    root = xmlsafe.root_tag(head)
    # A ClinicalTrials.gov RSS feed is claimed only to be rejected with a precise message (`read`).
    return root == "clinical_study" or (root == "rss" and b"clinicaltrials.gov" in head.lower())


def read(data: bytes, origin: str) -> Iterator[TrialRecord | RecordError]:
    root = xmlsafe.parse(data, origin)
    if root.tag == "rss":
        items = root.findall("./channel/item")
        raise InputError(origin, f"a ClinicalTrials.gov RSS search feed ({len(items)} study links), not "
                                 "study records: download the studies themselves (XML or JSON)")
    if root.tag != "clinical_study":
        raise InputError(origin, f"XML root is <{root.tag}>, not <clinical_study>")
    node = _Node(root, "/clinical_study")
    try:
        yield _map(node, SourceRef(path=origin, format=NAME, index=0))
    except (TypeError, ValueError, AttributeError) as exc:
        yield RecordError(origin, f"cannot map study: {exc}", where="/clinical_study",
                          record_id=(root.findtext("id_info/nct_id") or "").strip() or None)


def map_element(root: Element, source: SourceRef) -> TrialRecord:
    """Map a ``<clinical_study>`` element: one parsed from a file, or one rebuilt from a JSON copy."""
    return _map(_Node(root, "/clinical_study"), source)


class _Node:
    """An element and its XPath, so every value keeps where it came from."""

    __slots__ = ("el", "path")

    def __init__(self, el: Element, path: str):
        self.el = el
        self.path = path

    def one(self, *tags: str) -> _Node | None:
        node = self
        for tag in tags:
            child = node.el.find(tag)
            if child is None:
                return None
            node = _Node(child, f"{node.path}/{tag}")
        return node

    def all(self, tag: str) -> list[_Node]:
        return [_Node(el, f"{self.path}/{tag}[{i}]") for i, el in enumerate(self.el.findall(tag), 1)]

    def text(self, *tags: str, block: bool = False) -> Text | None:
        node = self.one(*tags)
        if node is None or node.el.text is None:
            return None
        raw = textwrap.dedent(node.el.text) if block else node.el.text
        return fields.text(raw, node.path)

    def texts(self, tag: str) -> list[Text]:
        return [t for node in self.all(tag) if (t := node.text()) is not None]

    def attr(self, name: str) -> Text | None:
        value = self.el.get(name)
        return fields.text(value, f"{self.path}/@{name}")


def _map(s: _Node, source: SourceRef) -> TrialRecord:
    info = s.one("study_design_info") or _Node(Element("study_design_info"), s.path + "/study_design_info")
    legacy = fields.design_statement(s.text("study_design"))  # pre-2017 files: one prose line
    masking = info.text("masking") or legacy.get("masking")
    enrollment = s.one("enrollment")
    start = s.one("start_date")
    phases = [code for t in s.texts("phase") for code in fields.phases(t)]  # "Phase 1/Phase 2" -> PHASE1, PHASE2
    ids = s.one("id_info")
    secondary = [t.value for t in (ids.texts("org_study_id") + ids.texts("secondary_id") + ids.texts("nct_alias"))] \
        if ids else []
    return TrialRecord(
        source=source,
        registry="ClinicalTrials.gov",
        trial_id=(s.el.findtext("id_info/nct_id") or "").strip() or None,
        secondary_ids=secondary,
        title=s.text("brief_title"),
        official_title=s.text("official_title"),
        acronym=(s.el.findtext("acronym") or "").strip() or None,
        status=s.text("overall_status"),
        conditions=s.texts("condition"),
        keywords=s.texts("keyword"),
        summary=s.text("brief_summary", "textblock", block=True),
        description=s.text("detailed_description", "textblock", block=True),
        eligibility=s.text("eligibility", "criteria", "textblock", block=True),
        design=Design(study_type=s.text("study_type"), allocation=info.text("allocation") or legacy.get("allocation"),
                      intervention_model=info.text("intervention_model") or legacy.get("intervention_model"),
                      masking=masking,
                      who_masked=fields.who_masked(masking), phases=phases,
                      description=s.text("study_design")),
        enrollment=Enrollment(
            count=fields.number(enrollment.el.text, enrollment.path) if enrollment is not None else None,
            type=fields.enrollment_type(enrollment.el.get("type"), enrollment.path + "/@type")
            if enrollment is not None else None),
        arms=_arms(s),
        interventions=[Intervention(name=i.text("intervention_name"), type=i.text("intervention_type"),
                                    description=i.text("description"), arm_labels=i.texts("arm_group_label"),
                                    other_names=i.texts("other_name"))
                       for i in s.all("intervention")],
        outcomes=[Outcome(kind=kind, measure=o.text("measure"), time_frame=o.text("time_frame"),
                          description=o.text("description"))
                  for kind in ("primary", "secondary", "other") for o in s.all(f"{kind}_outcome")],
        dates=fields.dated(start=s.text("start_date"), start_type=start.attr("type") if start else None,
                           registered=s.text("study_first_submitted") or s.text("firstreceived_date"),
                           completion=s.text("completion_date") or s.text("primary_completion_date"),
                           last_update=s.text("last_update_posted") or s.text("lastchanged_date")),
        sponsor=s.text("sponsors", "lead_sponsor", "agency"),
        countries=s.texts("location_countries/country"),
        results=_results(s.one("clinical_results")),
    )


def _arms(s: _Node) -> list[Arm]:
    names_by_arm: dict[str, list[Text]] = {}
    for intervention in s.all("intervention"):
        name = intervention.text("intervention_name")
        for label in intervention.texts("arm_group_label"):
            if name is not None:
                names_by_arm.setdefault(label.value, []).append(name)
    arms = []
    for arm in s.all("arm_group"):
        arm_label = arm.text("arm_group_label")
        arms.append(Arm(label=arm_label, type=arm.text("arm_group_type"), description=arm.text("description"),
                        intervention_names=names_by_arm.get(arm_label.value, []) if arm_label else []))
    return arms


def _results(section: _Node | None) -> Results:
    if section is None:
        return Results(posted=False)
    titles = [t for o in section.all("outcome_list/outcome") if (t := o.text("title")) is not None]
    events = section.one("reported_events")
    if events is None:
        return Results(posted=True, posted_at=section.path, outcome_titles=titles)
    serious, serious_terms = _totals(events.one("serious_events"))
    other, other_terms = _totals(events.one("other_events"))
    groups = []
    for group in events.all("group_list/group"):
        gid = group.el.get("group_id")
        s_aff, s_risk = serious.get(gid, (None, None))
        o_aff, o_risk = other.get(gid, (None, None))
        groups.append(AdverseEventGroup(title=group.text("title"), serious_affected=s_aff,
                                        other_affected=o_aff, at_risk=s_risk or o_risk))
    return Results(posted=True, posted_at=section.path, outcome_titles=titles, adverse_event_groups=groups,
                   adverse_events_time_frame=events.text("time_frame"),
                   adverse_events_description=events.text("desc"),
                   adverse_event_terms=serious_terms + other_terms)


def _totals(kind: _Node | None) -> tuple[dict[str | None, tuple[Number | None, Number | None]], int]:
    """Per group_id (affected, at risk) from the "Total" category, and the number of event terms."""
    if kind is None:
        return {}, 0
    totals: dict[str | None, tuple[Number | None, Number | None]] = {}
    terms = 0
    for category in kind.all("category_list/category"):
        events = category.all("event_list/event")
        if (category.el.findtext("title") or "").strip().lower() != "total":
            terms += len(events)
            continue
        for event in events[:1]:
            for counts in event.all("counts"):
                affected = fields.number(counts.el.get("subjects_affected"), counts.path + "/@subjects_affected")
                at_risk = fields.number(counts.el.get("subjects_at_risk"), counts.path + "/@subjects_at_risk")
                totals[counts.el.get("group_id")] = (affected, at_risk)
    return totals, terms

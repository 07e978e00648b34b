"""A draft's history: every save, edit and dismissal is a new version, nothing is overwritten.

A manager edits a drafted sentence, dismisses a language finding, marks a
version final, and may come back weeks later: each of those steps keeps
the versions before it, so the wording that was shared can always be found
again. The language findings are recomputed on every save from the words
as they now stand, minus the findings the manager dismissed on this draft,
so an edit that removes "always" also removes its finding.

Editing a final draft is allowed, and it takes the final mark away: the
newest words are no longer the ones that were signed off, so the review
cycle shows the person as "drafting" again. The version that was final
stays in the history and can be marked final again. Dismissing a finding
does not change a word, so it leaves the final mark where it was.
"""

from __future__ import annotations

from dataclasses import asdict, replace

from ..assist.language import apply_dismissals, check_language
from ..domain.records import Draft
from ..errors import InvalidInput, NotFound
from .body import FROM_MANAGER, Body, Section

CLEAR_FINAL = 0  # store.drafts.mark_final's way of saying "no version is final"


def save_draft(store, body: Body, *, draft_id: str | None = None,
               cycle_id: str | None = None) -> Draft:
    """Keep ``body`` as a new draft, or as the newest version of ``draft_id``."""
    with store.atomic():
        draft = _new_draft(store, body, cycle_id) if draft_id is None else store.drafts.get(draft_id)
        _check_same_subject(draft, body)
        for finding_id in body.dismissed:
            store.drafts.dismiss_finding(draft.id, finding_id)
        checked = with_language_checks(body, store.drafts.dismissed(draft.id))
        store.drafts.save_version(draft.id, body=checked.to_dict(), model_sha256=checked.model_sha256,
                                  prompts=list(checked.prompts))
    return store.drafts.get(draft.id)


def with_language_checks(body: Body, dismissed: set[str]) -> Body:
    """``body`` with its language findings worked out again, dismissed ones left out."""
    findings = apply_dismissals(check_language(body.plain_text()), dismissed)
    return replace(body, language=tuple(_finding_dict(f) for f in findings),
                   dismissed=tuple(sorted(dismissed)))


def _finding_dict(finding) -> dict:
    data = asdict(finding)
    data["span"] = list(finding.span)
    return data


def _new_draft(store, body: Body, cycle_id: str | None) -> Draft:
    store.people.get(body.person_id)
    return store.drafts.create(kind=body.kind, person_id=body.person_id,
                               period_start=body.period_start, period_end=body.period_end,
                               cycle_id=cycle_id)


def _check_same_subject(draft: Draft, body: Body) -> None:
    if (draft.kind, draft.person_id) != (body.kind, body.person_id):
        raise InvalidInput(
            f"Draft {draft.id!r} is a {draft.kind} for person {draft.person_id!r}; a {body.kind} "
            f"for {body.person_id!r} cannot be saved as a version of it")


def body_of(draft: Draft, version: int | None = None) -> Body:
    """The words of ``version`` (default: the newest) of a draft."""
    if not draft.versions:
        raise NotFound(f"Draft {draft.id!r} has no saved version yet")
    if version is None:
        return Body.from_dict(draft.latest.body)
    for kept in draft.versions:
        if kept.version == version:
            return Body.from_dict(kept.body)
    known = ", ".join(str(v.version) for v in draft.versions)
    raise NotFound(f"Draft {draft.id!r} has no version {version} (it has {known})")


def edit_statement(store, draft_id: str, section_key: str, index: int, text: str) -> Draft:
    """The manager's own wording for one statement, kept as a new version.

    The statement keeps its citations and is marked as the manager's; empty
    text removes it. Other sections stay as they are. An edit that changes
    nothing adds no version.
    """
    with store.atomic():
        draft = store.drafts.get(draft_id)
        body = body_of(draft)
        section = _section(body, section_key)
        statements = _edited(section, index, text.strip())
        if statements == section.statements:
            return draft
        new_body = body.with_section(replace(section, statements=statements))
        saved = save_draft(store, new_body, draft_id=draft_id)
        if saved.is_final:
            saved = store.drafts.mark_final(draft_id, CLEAR_FINAL)
    return saved


def _section(body: Body, key: str) -> Section:
    section = body.section(key)
    if section is None:
        known = ", ".join(s.key for s in body.sections) or "none"
        raise NotFound(f"This draft has no section {key!r} (its sections: {known})")
    return section


def _edited(section: Section, index: int, text: str) -> tuple:
    count = len(section.statements)
    if not 0 <= index < count:
        raise InvalidInput(f"Section {section.title!r} has {count} statements; there is no "
                           f"statement number {index + 1}")
    statements = list(section.statements)
    if not text:
        del statements[index]
    elif text != statements[index].text:
        statements[index] = replace(statements[index], text=text, source=FROM_MANAGER)
    return tuple(statements)


def dismiss_finding(store, draft_id: str, finding_id: str) -> Draft:
    """The manager keeps the wording a language check flagged; a new version without the finding."""
    with store.atomic():
        draft = store.drafts.get(draft_id)
        if finding_id in store.drafts.dismissed(draft_id):
            return draft
        body = body_of(draft)
        if finding_id not in {f["id"] for f in body.language}:
            raise NotFound(f"Draft {draft_id!r} has no language finding {finding_id!r}")
        store.drafts.dismiss_finding(draft_id, finding_id)
        return save_draft(store, body, draft_id=draft_id)


def mark_final(store, draft_id: str, version: int | None = None) -> Draft:
    """Mark ``version`` (default: the newest) as the one that was shared; 0 clears the mark."""
    return store.drafts.mark_final(draft_id, version)

"""The Reviews tab's work on the model thread, and the names it gives exported drafts.

Why this module exists: each task reads and writes through a connection of the model
thread's own (``store.for_this_thread()``), since the window's connection answers only the
window's thread (issue 15); keeping them apart from the tab's widgets keeps that rule in one
place.
"""

from __future__ import annotations

from pathlib import Path

from app.errors import NotFound
from app.reviews.body import PLAN, Body

from .model_bridge import Task


def _library(prompts_dir: Path):
    from app.llm.prompts import PromptLibrary  # jinja2 loads with the first draft
    return PromptLibrary(user_dir=prompts_dir) if prompts_dir.is_dir() else PromptLibrary()


def review_task(store, person_id: str, start: str, end: str, *, prompts_dir: Path, on_section,
                on_progress=None) -> Task:
    def task(engine, stop, _on_piece) -> Body:
        from app.reviews.review_draft import draft_review
        with store.for_this_thread() as own:
            return draft_review(own, engine, _library(prompts_dir), person_id, start, end,
                                stop=stop, on_section=on_section, on_progress=on_progress)
    return task


def plan_task(store, person_id: str, *, prompts_dir: Path, on_section, on_progress=None) -> Task:
    def task(engine, stop, _on_piece) -> Body:
        from app.reviews.plan import draft_plan
        with store.for_this_thread() as own:
            return draft_plan(own, engine, _library(prompts_dir), person_id, stop=stop,
                              on_section=on_section, on_progress=on_progress)
    return task


def regenerate_task(store, body: Body, key: str, *, prompts_dir: Path) -> Task:
    def task(engine, stop, _on_piece) -> Body:
        from app.reviews.review_draft import regenerate_section
        with store.for_this_thread() as own:
            return regenerate_section(own, engine, _library(prompts_dir), body, key, stop=stop)
    return task


# --- names ---------------------------------------------------------------------------------

def export_name(store, draft, body: Body) -> str:
    """"Ana Ruiz — review H1 2026", "Ana Ruiz — review 2026-01-01 to 2026-06-30", "… — development plan"."""
    if body.kind == PLAN:
        label = "development plan"
    elif draft.cycle_id:
        try:
            label = f"review {store.review_cycles.get(draft.cycle_id).name}"
        except NotFound:
            label = f"review {body.period_start} to {body.period_end}"
    else:
        label = f"review {body.period_start} to {body.period_end}"
    return f"{body.person_name} — {label}".replace("/", "-").replace("\\", "-")

"""A deterministic, fictional team and its manager's notes, for the benchmark.

Everything is drawn from one seeded ``random.Random``, so the same seed
gives the same store byte for byte (ids, dates, text, tags). The text is
built from templates of workplace phrases with slots for teammates,
customers, systems, tickets, numbers and dates; a few rare technical words
appear in a small share of notes so that searches cover rare, common and
prefix terms.
"""

import datetime as _dt
import random

BENCH_PERSON = "p-bench"
BENCH_PERSON_NOTES = 2_000

PEOPLE = [
    (BENCH_PERSON, "Priya Natarajan", "Senior Backend Engineer"),
    ("p-01", "Tomasz Kowalczyk", "Backend Engineer"),
    ("p-02", "Amara Okafor", "Frontend Engineer"),
    ("p-03", "Lucas Ferreira", "Site Reliability Engineer"),
    ("p-04", "Hannah Schmidt", "Engineering Manager"),
    ("p-05", "Kenji Watanabe", "Data Engineer"),
    ("p-06", "Sofia Rossi", "Product Designer"),
    ("p-07", "Diego Hernandez", "Mobile Engineer"),
    ("p-08", "Aisha Rahman", "QA Engineer"),
    ("p-09", "Oliver Bennett", "Staff Engineer"),
    ("p-10", "Mei Lin", "Backend Engineer"),
    ("p-11", "Ravi Shankar", "Platform Engineer"),
    ("p-12", "Elena Petrova", "Security Engineer"),
    ("p-13", "Samuel Osei", "Junior Engineer"),
    ("p-14", "Chloe Dubois", "Technical Writer"),
]

COMPETENCIES = [
    ("c-delivery", "Delivery"),
    ("c-craft", "Technical craft"),
    ("c-collab", "Collaboration"),
    ("c-comms", "Communication"),
    ("c-ownership", "Ownership"),
    ("c-mentoring", "Mentoring"),
    ("c-customer", "Customer focus"),
]

# Weights roughly as a manager's notebook has them: mostly observations.
KINDS = [("observation", 45), ("praise", 15), ("concern", 10), ("feedback_given", 10),
         ("one_on_one", 14), ("personal", 3), ("other", 3)]

CUSTOMERS = ["Acme Logistics", "Northwind", "Globex", "Initech", "Umbrella Health",
             "Hooli", "Stark Freight", "Wayne Retail", "Cyberdyne", "Soylent Foods",
             "Tyrell Labs", "Vandelay Imports", "Massive Dynamic", "Oscorp", "Wonka Confectionery",
             "Blue Sun", "Monarch Airlines", "Gringotts Bank"]
SYSTEMS = ["billing API", "search service", "payments pipeline", "auth gateway", "mobile app",
           "data warehouse", "checkout flow", "notification service", "admin console",
           "reporting dashboard", "onboarding wizard", "feature flag service", "CI pipeline",
           "staging cluster", "customer portal", "invoice exporter"]
PROJECTS = ["the Q{q} roadmap", "project Atlas", "project Beacon", "the migration to Postgres 16",
            "the pricing revamp", "the SSO rollout", "the accessibility audit",
            "the new design system", "the cost reduction work", "the GDPR export feature",
            "the on-call rotation redesign", "the hiring loop"]
RARE = ["flamegraph", "idempotency", "backpressure", "kubernetes", "terraform", "memoization",
        "serialization", "sharding", "deadlock", "regression", "observability", "canary",
        "throttling", "profiling", "tracing", "runbook", "chaos", "failover"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]

TEMPLATES = [
    "Did a thorough code review on {teammate}'s change to the {system}; caught a {rare} bug before release.",
    "Led the incident response for {ticket} on the {system}; mitigated in {n} minutes and wrote the postmortem.",
    "Ran the postmortem for {ticket}. Clear timeline, blameless tone, {n} follow-up actions filed.",
    "Mentoring {teammate} on {rare}; they paired for {n} hours this week and {teammate} says it helped.",
    "Presented {project} to the leadership team. Good structure, but ran {n} minutes over.",
    "Shipped the {system} change for {customer} {n} days ahead of the date we promised.",
    "{customer} escalated a bug in the {system}; responded within the hour and kept the account team updated.",
    "Missed the deadline for {project} by {n} days and did not flag the risk early.",
    "Gave feedback: code review comments on {teammate}'s PR were too terse; suggested explaining the why.",
    "In our 1:1 we talked about career growth and the path to staff; agreed to revisit on {date}.",
    "1:1: raised concerns about workload during {project}; we moved {n} tickets to next sprint.",
    "Praised in the team channel by {teammate} for unblocking the {system} release.",
    "Wrote a design doc for {project}; {n} reviewers, solid trade-off section on {rare}.",
    "Customer call with {customer} about the {system}: calm, clear, turned a complaint into a renewal.",
    "Was on call this week: {n} pages, handled {ticket} overnight and updated the runbook.",
    "Reduced p95 latency of the {system} from {big} ms to {n} ms with {rare} work.",
    "Interviewed {n} candidates for the hiring loop; written feedback was detailed and on time.",
    "Onboarding buddy for {teammate}; set up their environment and walked through the {system}.",
    "Roadmap planning for Q{q}: argued well for paying down tech debt in the {system}.",
    "Quiet in the retro on {weekday}; followed up privately and they had good ideas about {project}.",
    "Took ownership of flaky tests in the CI pipeline; failure rate went from {pct}% to {pct2}%.",
    "Demo of {project} at the all-hands went well; {customer} feedback quoted.",
    "Conflict with {teammate} over the API contract for the {system}; resolved after a whiteboard session.",
    "Asked for more scope; agreed they will lead {project} from {date}.",
    "Personal: taking {n} days off around {date} for a family event.",
    "Budget for the {system} is {pct}% over; proposed a plan to cut cloud spend by {big} dollars a month.",
    "Security review of the {system} found {n} issues; fixed all but one before the audit with {customer}.",
    "Helped {teammate} debug a {rare} problem in production; calm under pressure.",
    "Documentation for the {system} is out of date; asked them to own the update by {date}.",
    "Sprint velocity dropped to {n} points; blockers were mostly waiting on the {system} team.",
    "Great question in the architecture review about {rare} in the {system}.",
    "Followed up on action items from the last 1:1: {n} of {n2} done, the rest carried over.",
    "Ran the incident review for {ticket}; root cause was a config change to the {system}.",
    "Customer {customer} asked for a new export format; scoped it in {n} story points.",
]

EXTRA = [
    "Follow up next week.", "Mention in the quarterly review.", "Good example of ownership.",
    "Needs more visibility with stakeholders.", "Check in again after the release.",
    "Shared this with the skip-level.", "Worth raising at calibration.",
    "They were not aware of the impact; discussed it openly.", "Strong signal for promotion.",
    "Pair them with {teammate} next sprint.", "Add to the development plan.",
    "Ticket {ticket} tracks the follow-up.", "Agreed on a checkpoint on {date}.",
]


def _weighted(rng: random.Random, pairs):
    values = [v for v, _ in pairs]
    weights = [w for _, w in pairs]
    return lambda: rng.choices(values, weights)[0]


class NoteText:
    """Fills templates from a seeded generator."""

    def __init__(self, rng: random.Random, start: _dt.date, days: int):
        self.rng = rng
        self.start = start
        self.days = days
        self.first_names = [name.split()[0] for _, name, _ in PEOPLE]

    def date(self) -> str:
        return (self.start + _dt.timedelta(days=self.rng.randrange(self.days))).isoformat()

    def _fill(self, template: str) -> str:
        rng = self.rng
        slots = {
            "teammate": rng.choice(self.first_names),
            "customer": rng.choice(CUSTOMERS),
            "system": rng.choice(SYSTEMS),
            "project": rng.choice(PROJECTS).replace("{q}", str(rng.randint(1, 4))),
            # Rare words are rare: most notes say "the issue" instead.
            "rare": rng.choice(RARE) if rng.random() < 0.15 else "performance",
            "ticket": f"INC-{rng.randint(1000, 9999)}",
            "n": rng.randint(2, 40), "n2": rng.randint(41, 60),
            "big": rng.randint(200, 5000),
            "pct": rng.randint(5, 40), "pct2": rng.randint(1, 4),
            "q": rng.randint(1, 4), "weekday": rng.choice(WEEKDAYS), "date": self.date(),
        }
        return template.format(**slots)

    def text(self) -> str:
        rng = self.rng
        parts = [self._fill(rng.choice(TEMPLATES))]
        if rng.random() < 0.45:
            parts.append(self._fill(rng.choice(TEMPLATES)))
        if rng.random() < 0.5:
            parts.append(self._fill(rng.choice(EXTRA)))
        return " ".join(parts)


def generate_notes(*, total: int = 100_000, seed: int = 20_240_601,
                   start: _dt.date = _dt.date(2023, 1, 2), days: int = 3 * 365):
    """Yield ``(note_row, competency_ids)``; ``note_row`` fits ``INSERT_NOTE_SQL``.

    ``BENCH_PERSON`` gets exactly ``BENCH_PERSON_NOTES`` notes; the rest are
    spread unevenly over the other people (as real teams are).
    """
    rng = random.Random(seed)
    words = NoteText(rng, start, days)
    kind = _weighted(rng, KINDS)
    others = [person_id for person_id, _, _ in PEOPLE if person_id != BENCH_PERSON]
    other_weights = [rng.uniform(0.5, 1.5) for _ in others]
    owners = [BENCH_PERSON] * BENCH_PERSON_NOTES
    owners += rng.choices(others, other_weights, k=total - BENCH_PERSON_NOTES)
    rng.shuffle(owners)
    competency_ids = [c for c, _ in COMPETENCIES]
    drafts = []
    for person_id in owners:
        roll = rng.random()
        tags = () if roll < 0.6 else tuple(rng.sample(competency_ids, 1 if roll < 0.9 else 2))
        drafts.append((words.date(), person_id, kind(), words.text(), tags))
    # Notes are written as things happen, so insertion order (seq) follows the date.
    drafts.sort(key=lambda d: d[0])
    for index, (date, person_id, note_kind, text, tags) in enumerate(drafts, start=1):
        stamp = f"{date}T{9 + index % 9:02d}:{index % 60:02d}:00+00:00"
        yield (f"n-{index:06d}", person_id, date, note_kind, text, stamp, stamp), tags


# What managers type in the search box: common words, rare words, names,
# customers, two-word phrases, tickets, and prefixes caught mid-word.
QUERIES = [
    "code review", "incident", "incid", "inc", "postmortem", "mentoring", "mento",
    "roadmap", "customer", "cust", "Globex", "Globex renewal", "Acme", "Northwind escalated",
    "Tyrell", "Gringotts", "flamegraph", "idempotency", "backpressure", "deadlock",
    "kubernetes", "terraform", "failover", "runbook", "on call", "pages",
    "career growth", "promotion", "calibration", "workload", "deadline", "missed the deadline",
    "design doc", "architecture review", "latency", "p95", "cloud spend", "security review",
    "onboarding", "onboarding buddy", "Tomasz", "Amara", "Priya", "Kenji mentoring",
    "INC-4821", "4821", "sprint velocity", "flaky tests", "accessibility audit",
    "SSO rollout", "hiring loop", "family event", "retro", "whiteboard",
]

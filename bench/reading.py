"""How well the reading rules label the three labelled teams: ``python -m bench.reading``.

Prints, per team, the share of note parts given the label a person gave them, and the share
of personal parts read as personal (``tests/test_reading.py`` holds both to floors).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from app.reviews.reading import PERSONAL  # noqa: E402
from test_reading import TEAMS, scored  # noqa: E402


def main() -> None:
    for team in TEAMS:
        counts = scored(team)
        total = sum(counts.values())
        right = sum(n for (want, got), n in counts.items() if want == got)
        personal = sum(n for (want, _), n in counts.items() if want == PERSONAL)
        print(f"{team:15} parts {total:4}  labels right {right / total:.3f}  "
              f"personal caught {counts[(PERSONAL, PERSONAL)] / personal:.3f}")


if __name__ == "__main__":
    main()

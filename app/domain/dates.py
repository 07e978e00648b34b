"""Calendar dates as the exchange format writes them: ``YYYY-MM-DD``."""

import datetime as _dt
import re

from ..errors import InvalidInput

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value: object, *, where: str = "date") -> str:
    """Return ``value`` if it is a real calendar date in ``YYYY-MM-DD`` form.

    ``where`` names the field in the error, e.g. ``notes[3] (id "n-7") field "date"``.
    """
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise InvalidInput(f"{where}: {value!r} is not a date in YYYY-MM-DD form")
    try:
        _dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{where}: {value!r} is not a real calendar date") from None
    return value


def optional_date(value: object, *, where: str = "date") -> str | None:
    """``parse_date`` for a field that may be left empty (None)."""
    return None if value is None else parse_date(value, where=where)


def today_iso() -> str:
    return _dt.date.today().isoformat()


def now_utc() -> str:
    """A timestamp for created/updated columns, in UTC to the second."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


def spoken_date(day: "_dt.date | str | None", *, year: bool = True) -> str:
    """``2027-03-01`` as a sentence says it: "1 March 2027" ("1 March" without ``year``), the
    same in every locale; text that is not a date comes back as it was."""
    if isinstance(day, str) or day is None:
        try:
            day = _dt.date.fromisoformat((day or "")[:10])
        except ValueError:
            return day or ""
    spoken = f"{day.day} {MONTH_NAMES[day.month - 1]}"
    return f"{spoken} {day.year}" if year else spoken


def spoken_dates(days) -> str:
    """Several dates, oldest first, the year said once where they share it: "30 June,
    29 September and 20 October 2026"."""
    parsed = sorted(_dt.date.fromisoformat(d) if isinstance(d, str) else d for d in days)
    one_year = len({d.year for d in parsed}) == 1
    words = [spoken_date(d, year=not one_year or d is parsed[-1]) for d in parsed]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def near_date(iso: str | None, today: str | None = None) -> str:
    """A date as the window says it, with the year only when it is not this year's:
    "18 Nov", "8 Jul 2025"; "" for no date."""
    if not iso:
        return ""
    this_year = (today or _dt.date.today().isoformat())[:4]
    return short_date(iso, year=iso[:4] != this_year)


def short_date(iso: str | None, *, year: bool = False) -> str:
    """``2026-12-07`` as the window says it: "7 Dec" ("7 Dec 2026" with ``year``); "" for no
    date. Month names are English whatever the locale, like the rest of Trellis's words."""
    if not iso:
        return ""
    day = _dt.date.fromisoformat(iso[:10])
    spoken = f"{day.day} {_MONTHS[day.month - 1]}"
    return f"{spoken} {day.year}" if year else spoken


def month_title(iso: str) -> str:
    """``2026-12-07`` as the timeline's month heading: "December 2026"."""
    day = _dt.date.fromisoformat(iso[:10])
    return f"{_MONTH_NAMES[day.month - 1]} {day.year}"


_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")

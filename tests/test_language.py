"""Language checks on review drafts: what is flagged, what is not, and why.

Decisions pinned here: matching is whole-word and a hyphen joins words, so
"aggressively", "always-on" and "Nevertheless" are other words and are not
flagged; a personality word that describes work ("an aggressive roadmap")
is not flagged; vague praise next to any evidence is not flagged.
"""

import pytest

from app.assist.language import (
    ABSOLUTE, HEDGING, UNEVEN_PERSONALITY_WORD, VAGUE_PRAISE, Finding, apply_dismissals,
    check_language, finding_id, split_sentences,
)


def flagged(text: str, rule: str) -> list[str]:
    return [f.words for f in check_language(text) if f.rule == rule]


@pytest.mark.parametrize("text, words", [
    ("She was abrasive in the planning meeting.", ["abrasive"]),
    ("He can be Bossy with new joiners.", ["Bossy"]),
    ("Her emails are shrill and pushy.", ["shrill", "pushy"]),
    ("She is difficult to work with.", ["difficult"]),
    ("He was aggressive toward the vendor.", ["aggressive"]),
    ("She came across as cold.", ["cold"]),
])
def test_personality_words_are_flagged(text, words):
    assert flagged(text, UNEVEN_PERSONALITY_WORD) == words


@pytest.mark.parametrize("text", [
    "She aggressively priced the roadmap.",      # another word: an adverb about the plan
    "We set an aggressive roadmap for Q3.",      # describes work, not the person
    "A dramatic improvement in on-call load.",
    "She led a difficult migration.",
    "He shows strong emotional intelligence.",
    "She ran the cold-start investigation.",     # hyphenated compound
    "She handled the incident calmly.",
])
def test_personality_words_not_flagged(text):
    assert flagged(text, UNEVEN_PERSONALITY_WORD) == []


@pytest.mark.parametrize("text, words", [
    ("Great job this cycle.", ["Great job"]),
    ("She is a real team player.", ["team player"]),
    ("He is a rock star and a rockstar.", ["rock star", "rockstar"]),
    ("She always goes above and beyond.", ["goes above and beyond"]),
    ("Amazing attitude, awesome results!", ["Amazing", "awesome"]),
])
def test_vague_praise_without_evidence_is_flagged(text, words):
    assert flagged(text, VAGUE_PRAISE) == words


@pytest.mark.parametrize("text", [
    "Great job cutting build time from 40 to 12 minutes.",
    "Great job on the launch [n-12].",
    "Great job on the launch in March.",
    "Great job, for example on the billing migration.",
    "Team player, e.g. she covered on-call for Sam.",
    "Team player because she covered on-call for Sam.",
    'A great attitude: she told the customer "we will fix it tonight".',
])
def test_vague_praise_with_evidence_not_flagged(text):
    assert flagged(text, VAGUE_PRAISE) == []


@pytest.mark.parametrize("text, words", [
    ("He is always late to standup.", ["always"]),
    ("She never asks for help.", ["never"]),
    ("Everyone relies on her; no one else knows the system.", ["Everyone", "no one"]),
    ("He interrupts every time and all the time.", ["every time", "all the time"]),
    ("Nobody reviews his PRs constantly.", ["Nobody", "constantly"]),
])
def test_absolutes_are_flagged(text, words):
    assert flagged(text, ABSOLUTE) == words


@pytest.mark.parametrize("text", [
    "Nevertheless, the launch went well.",
    "She built the always-on dashboard.",
    "He is consistently on time.",
    "Evermore tickets arrive.",
])
def test_absolutes_not_flagged(text):
    assert flagged(text, ABSOLUTE) == []


@pytest.mark.parametrize("text, words", [
    ("I think she is ready for promotion.", ["I think"]),
    ("He is sort of slow and kind of quiet.", ["sort of", "kind of"]),
    ("Perhaps she might be ready.", ["Perhaps", "might be"]),
    ("He seems to avoid conflict, maybe.", ["seems to", "maybe"]),
    ("Her estimates are fairly accurate and rather late.", ["fairly", "rather"]),
])
def test_hedging_is_flagged(text, words):
    assert flagged(text, HEDGING) == words


@pytest.mark.parametrize("text", [
    "This kind of work suits her.",
    "What sort of feedback helps him?",
    "She chose Postgres rather than MySQL.",
    "He would rather pair than review alone.",
    "She shares credit fairly.",
    "She splits on-call fairly across the team.",
])
def test_hedging_not_flagged(text):
    assert flagged(text, HEDGING) == []


@pytest.mark.parametrize("text", [
    'A peer said "he is always abrasive, honestly amazing" in the retro.',
    "The customer wrote “I think she is a rock star”.",
])
def test_quoted_text_is_not_flagged(text):
    assert check_language(text) == []


def test_words_outside_the_quote_are_still_flagged():
    text = 'He said "never again" and was abrasive.'
    assert [f.words for f in check_language(text)] == ["abrasive"]


def test_several_findings_in_one_sentence():
    text = "I think she is always abrasive, great job."
    assert [(f.rule, f.words) for f in check_language(text)] == [
        (HEDGING, "I think"), (ABSOLUTE, "always"),
        (UNEVEN_PERSONALITY_WORD, "abrasive"), (VAGUE_PRAISE, "great job")]
    assert {f.sentence for f in check_language(text)} == {text}


def test_spans_point_at_the_flagged_words():
    text = "Fine start.\n\nShe was ABRASIVE.  He never,  sort   of, listens. Great job!"
    findings = check_language(text)
    assert len(findings) == 4
    for finding in findings:
        start, end = finding.span
        assert text[start:end] == finding.words
        assert finding.words in finding.sentence


@pytest.mark.parametrize("text, suggestion", [
    ("He is always late.", "He is consistently late."),
    ("Never late.", "Rarely late."),
    ("I think she is ready.", "She is ready."),
    ("I think that she is ready.", "She is ready."),
    ("She is, I think, ready.", "She is ready."),
    ("He is sort of slow.", "He is slow."),
    ("She is ready, perhaps.", "She is ready."),
    ("He might be ready.", "He is ready."),
    ("She is abrasive.", "She is [the behaviour you saw and its effect]."),
    ("Great job!", "Great job — for example, [what they did and what it changed]!"),
    ("She is a team player", "She is a team player — for example, [what they did and what it changed]."),
])
def test_suggestions_rewrite_the_sentence(text, suggestion):
    (finding,) = check_language(text)
    assert finding.suggestion == suggestion


def test_every_finding_has_a_message_and_a_different_suggestion():
    text = ("I feel he is kind of bossy and never on time. Everyone says she is a superstar. "
            "He seems to be a bit emotional, nobody disagrees.")
    findings = check_language(text)
    assert len(findings) >= 8
    for finding in findings:
        assert finding.suggestion and finding.suggestion != finding.sentence
        assert finding.words in finding.message


def test_message_says_why_for_personality_words():
    (finding,) = check_language("She is abrasive.")
    assert "women" in finding.message and "behaviour" in finding.message


def test_ids_are_stable_and_distinct():
    text = "He is always late. She is always early. He is always, always late."
    first, second = check_language(text), check_language(text)
    assert [f.id for f in first] == [f.id for f in second]
    assert len({f.id for f in first}) == len(first) == 4
    assert first[0].id == finding_id(ABSOLUTE, "He is always late.", "always")


def test_id_survives_edits_elsewhere_and_rewrapping():
    before = check_language("He is always late.")[0]
    after = check_language("A new opening line.\n\nHe is\n  always late.")[0]
    assert after.span != before.span
    assert after.id == before.id


def test_dismissals_remove_exactly_the_dismissed_finding():
    findings = check_language("He is always late. I think she is bossy. Great job.")
    dismissed = findings[1]
    remaining = apply_dismissals(findings, {dismissed.id})
    assert remaining == [f for f in findings if f is not dismissed]
    assert apply_dismissals(findings, set()) == findings
    assert apply_dismissals(findings, {"not-an-id"}) == findings


def test_finding_is_frozen():
    (finding,) = check_language("She is bossy.")
    assert isinstance(finding, Finding)
    with pytest.raises(AttributeError):
        finding.words = "other"


@pytest.mark.parametrize("text, sentences", [
    ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
    ("Use tools, e.g. Jira. Then ship.", ["Use tools, e.g. Jira.", "Then ship."]),
    ("Met Dr. Okafor and Mr. J. Smith today. Good.", ["Met Dr. Okafor and Mr. J. Smith today.", "Good."]),
    ("Speed vs. quality matters. Yes.", ["Speed vs. quality matters.", "Yes."]),
    ("Latency fell 2.5 times. Uptime was 99.95%.", ["Latency fell 2.5 times.", "Uptime was 99.95%."]),
    ("It took approx. three weeks. Then done.", ["It took approx. three weeks.", "Then done."]),
    ('He said "stop." Then left.', ['He said "stop."', "Then left."]),
    ("Wait... what? Fine.", ["Wait...", "what?", "Fine."]),
    ("Asking 'what if the queue is empty?' was right. Good.",
     ["Asking 'what if the queue is empty?' was right.", "Good."]),   # a quoted question
    ('She said "ship it!" and did. Then left.', ['She said "ship it!" and did.', "Then left."]),
    ("Strengths\n\n- Ships on time\n- Mentors juniors", ["Strengths", "Ships on time", "Mentors juniors"]),
    ("", []),
    ("   \n\n  ", []),
])
def test_sentence_splitting(text, sentences):
    assert [s.text for s in split_sentences(text)] == sentences


def test_sentence_offsets_match_the_text():
    text = "  First one.   Second, e.g. this.\n\n- Third"
    for sentence in split_sentences(text):
        assert text[sentence.start:sentence.end] == sentence.text


@pytest.mark.parametrize("text", [
    "היא תמיד מאחרת. هي دائماً متأخرة. She is always late 🚀🔥.",
    "🙂🙂🙂 great job 👏",
    "Ünïcode naïve café — she is bossy… ok",
    "\u200f\u202eabrasive\u202c!",
])
def test_rtl_and_emoji_do_not_crash(text):
    for finding in check_language(text):
        start, end = finding.span
        assert text[start:end] == finding.words

"""The store's side of frameworks: a framework's competency and a team's own of the same name are one."""

from app.domain.records import Framework, FrameworkCompetency


def framework(*competencies):
    return Framework("f-eng", "Engineering", ("L1", "L2"), tuple(competencies))


def test_a_framework_competency_takes_the_id_of_a_same_named_one(store):
    person = store.people.add(name="Ana Ruiz")
    own = store.competencies.add(name="Delivery", competency_id="team-delivery")
    note = store.notes.add(person_id=person.id, text="Shipped the importer", date="2026-02-01",
                           competencies=(own.id,))
    saved = store.frameworks.save(framework(
        FrameworkCompetency("c-delivery", "delivery", "Ships", (("L1", "a"), ("L2", "b"))),
        FrameworkCompetency("c-mentoring", "Mentoring", "Grows others")))
    assert [c.id for c in saved.competencies] == ["team-delivery", "c-mentoring"]
    assert [c.name for c in store.competencies.list()].count("delivery") == 1
    assert len(store.competencies.list()) == 2
    assert store.frameworks.expectations("team-delivery") == (("L1", "a"), ("L2", "b"))
    assert store.notes.get(note.id).competencies == ("team-delivery",)


def test_a_known_id_is_kept_even_when_another_competency_has_its_name(store):
    store.competencies.add(name="Delivery", competency_id="team-delivery")
    store.competencies.add(name="Shipping", competency_id="c-delivery")
    saved = store.frameworks.save(framework(FrameworkCompetency("c-delivery", "Delivery")))
    assert [c.id for c in saved.competencies] == ["c-delivery"]


def test_two_framework_competencies_never_share_one_id(store):
    store.competencies.add(name="Delivery", competency_id="team-delivery")
    saved = store.frameworks.save(framework(FrameworkCompetency("c-a", "Delivery"),
                                            FrameworkCompetency("c-b", "DELIVERY")))
    assert len({c.id for c in saved.competencies}) == 2

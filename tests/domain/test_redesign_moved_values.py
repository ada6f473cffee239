"""The values moved out of ``domain.forum`` (issue 12): events stored before the move decode after it, to the same
values, and encode back to the very same bytes.

The payloads below were produced by ``domain.codec.encode_event`` at commit a71d195, when ``Prize``,
``ProjectSnapshot``, ``TeamMember``, ``PitchSlot``, ``Voter``, ``Award`` and ``Palmares`` were defined in
``domain/forum.py``; they are kept here as bytes, as the store keeps them. The codec encodes a struct by its field
names and decodes it by the event class's type hints, so no class path is stored: the event classes (whose topics
are stored) stayed in ``domain.forum`` and their hints now name the classes' new modules.
"""

from uuid import UUID

import pytest

import domain.forum
from domain import coaching, jury, nominations, palmares, stage, votes
from domain.codec import decode_event, encode_event

FORUM_ID = UUID("4d08d273-08f9-526a-8e36-6100756f641d")
OISE_A = UUID("945857a9-a380-5b9f-ad01-2566dca9aeef")

# (topic, originator version, payload length, payload as hex): written before the move, never to be re-generated
STORED = [
    (
        "domain.forum:Forum.PrizeDefined",
        8,
        220,
        "83a974696d657374616d70d6ff5d6ccc00a57072697a6587a36b6579a86c61757265617473a56c6162656ca94c617572c3a9617473a46b696e64a46d61696ea96c617572656174657301a863617465676f7279c0ac616d6f756e745f63656e7473ce000249f0a672616e6b6564c3a46d65746187a56163746f72a4686f7374a4726f6c65a4686f7374ac6f7267616e69736174696f6ea5736f6d6d65b26163746f725f6f7267616e69736174696f6ea5736f6d6d65a26174d6ff5d6ccc00aa636f6d6d616e645f6964a163ae636f7272656c6174696f6e5f6964a163",
    ),
    (
        "domain.forum:Forum.ProjectNominated",
        11,
        318,
        "83a974696d657374616d70d6ff5dbfe890a770726f6a65637486aa70726f6a6563745f6964d92439343538353761392d613338302d356239662d616430312d323536366463613961656566ac6f7267616e69736174696f6ea46f697365a57469746c65af50726f6a6574206120286f69736529a773756d6d617279aa52c3a973756dc3a92061a863617465676f7279c0a47465616d9282a9706572736f6e5f6964a76167656e742d31a4726f6c65a8706f72746575736582a9706572736f6e5f6964a76167656e742d32a4726f6c65a0a46d65746187a56163746f72a4686f7374a4726f6c65a4686f7374ac6f7267616e69736174696f6ea5736f6d6d65b26163746f725f6f7267616e69736174696f6ea5736f6d6d65a26174d6ff5dbfe890aa636f6d6d616e645f6964a163ae636f7272656c6174696f6e5f6964a163",
    ),
    (
        "domain.forum:Forum.CoachingAssigned",
        18,
        223,
        "86a974696d657374616d70d6ff5dbfe890aa70726f6a6563745f6964d92439343538353761392d613338302d356239662d616430312d323536366463613961656566a8636f6163685f6964a7636f6163682d31a97374617274735f6174d6ff5ddf7e80a7656e64735f6174d6ff5ddf8a38a46d65746187a56163746f72a4686f7374a4726f6c65a4686f7374ac6f7267616e69736174696f6ea5736f6d6d65b26163746f725f6f7267616e69736174696f6ea5736f6d6d65a26174d6ff5dbfe890aa636f6d6d616e645f6964a163ae636f7272656c6174696f6e5f6964a163",
    ),
    (
        "domain.forum:Forum.RunningOrderSet",
        19,
        340,
        "83a974696d657374616d70d6ff5dbfe890a5736c6f74739284aa70726f6a6563745f6964d92434363963656235642d396433382d353039322d383633322d663466643564646431376335a97374617274735f6174d6ff5ddfc4d0ad70697463685f7365636f6e6473ccb4b17175657374696f6e735f7365636f6e6473cd012c84aa70726f6a6563745f6964d92439343538353761392d613338302d356239662d616430312d323536366463613961656566a97374617274735f6174d6ff5ddfc6ecad70697463685f7365636f6e6473ccb4b17175657374696f6e735f7365636f6e6473cd012ca46d65746187a56163746f72a4686f7374a4726f6c65a4686f7374ac6f7267616e69736174696f6ea5736f6d6d65b26163746f725f6f7267616e69736174696f6ea5736f6d6d65a26174d6ff5dbfe890aa636f6d6d616e645f6964a163ae636f7272656c6174696f6e5f6964a163",
    ),
    (
        "domain.forum:Forum.VoteOrganised",
        20,
        318,
        "89a974696d657374616d70d6ff5dc52e90a97072697a655f6b6579a961636164656d696573aa656c6563746f726174659282a9706572736f6e5f6964a773672d6e6f7264ac6f7267616e69736174696f6ea46e6f726482a9706572736f6e5f6964a773672d6f697365ac6f7267616e69736174696f6ea46f697365a86f70656e735f6174d6ff5dc92310a9636c6f7365735f6174d6ff5dd81410b6616c6c6f775f6f776e5f6f7267616e69736174696f6ec2a97469655f627265616ba464726177a9647261775f73656564a473656564a46d65746187a56163746f72a4686f7374a4726f6c65a4686f7374ac6f7267616e69736174696f6ea5736f6d6d65b26163746f725f6f7267616e69736174696f6ea5736f6d6d65a26174d6ff5dc52e90aa636f6d6d616e645f6964a163ae636f7272656c6174696f6e5f6964a163",
    ),
    (
        "domain.forum:Forum.VotesCounted",
        22,
        532,
        "85a974696d657374616d70d6ff5dd81410a97072697a655f6b6579a961636164656d696573a5636f756e7488a774616c6c6965739382aa70726f6a6563745f6964d92439343538353761392d613338302d356239662d616430312d323536366463613961656566a5766f7465730182aa70726f6a6563745f6964d92434363963656235642d396433382d353039322d383633322d663466643564646431376335a5766f7465730082aa70726f6a6563745f6964d92430303762326233352d326439662d353831612d396630302d646462643531396134323832a5766f74657300a96c617572656174657391d92439343538353761392d613338302d356239662d616430312d323536366463613961656566a762616c6c6f747301aa656c6563746f7261746502a97469655f627265616ba464726177a9647261775f73656564a473656564aa756e7265736f6c76656490ac7469655f6465636973696f6ec0a66177617264739182aa70726f6a6563745f6964d92439343538353761392d613338302d356239662d616430312d323536366463613961656566ac616d6f756e745f63656e7473c0a46d65746187a56163746f72a4686f7374a4726f6c65a4686f7374ac6f7267616e69736174696f6ea5736f6d6d65b26163746f725f6f7267616e69736174696f6ea5736f6d6d65a26174d6ff5dd81410aa636f6d6d616e645f6964a163ae636f7272656c6174696f6e5f6964a163",
    ),
    (
        "domain.forum:Forum.LaureatesDesignated",
        27,
        255,
        "86a974696d657374616d70d6ff5ddffd10a97072697a655f6b6579a86c61757265617473a66177617264739182aa70726f6a6563745f6964d92439343538353761392d613338302d356239662d616430312d323536366463613961656566ac616d6f756e745f63656e7473ce0001d4c0b4646570617274735f66726f6d5f72616e6b696e67c2a9726174696f6e616c65a0a46d65746187a56163746f72a4686f7374a4726f6c65a4686f7374ac6f7267616e69736174696f6ea5736f6d6d65b26163746f725f6f7267616e69736174696f6ea5736f6d6d65a26174d6ff5ddffd10aa636f6d6d616e645f6964a163ae636f7272656c6174696f6e5f6964a163",
    ),
    (
        "domain.forum:Forum.PalmaresPublished",
        29,
        1079,
        "83a974696d657374616d70d6ff5de00418a870616c6d6172657385a57469746c65b9466f72756d20696e74657264c3a970617274656d656e74616ca4686f7374a5736f6d6d65a46b696e64a5666f72756da67072697a65739285a36b6579a86c61757265617473a56c6162656ca94c617572c3a9617473a46b696e64a46d61696ea863617465676f7279c0a96c61757265617465739188aa70726f6a6563745f6964d92439343538353761392d613338302d356239662d616430312d323536366463613961656566ac6f7267616e69736174696f6ea46f697365a57469746c65af50726f6a6574206120286f69736529a773756d6d617279aa52c3a973756dc3a92061a863617465676f7279c0ac616d6f756e745f63656e7473ce0001d4c0a472616e6b01a5766f746573c085a36b6579a961636164656d696573a56c6162656cb350726978206465732061636164c3a96d696573a46b696e64a4766f7465a863617465676f7279c0a96c61757265617465739188aa70726f6a6563745f6964d92439343538353761392d613338302d356239662d616430312d323536366463613961656566ac6f7267616e69736174696f6ea46f697365a57469746c65af50726f6a6574206120286f69736529a773756d6d617279aa52c3a973756dc3a92061a863617465676f7279c0ac616d6f756e745f63656e7473c0a472616e6bc0a5766f74657301a966696e616c697374739388aa70726f6a6563745f6964d92434363963656235642d396433382d353039322d383633322d663466643564646431376335ac6f7267616e69736174696f6ea46e6f7264a57469746c65af50726f6a6574206120286e6f726429a773756d6d617279aa52c3a973756dc3a92061a863617465676f7279c0ac616d6f756e745f63656e7473c0a472616e6bc0a5766f746573c088aa70726f6a6563745f6964d92439343538353761392d613338302d356239662d616430312d323536366463613961656566ac6f7267616e69736174696f6ea46f697365a57469746c65af50726f6a6574206120286f69736529a773756d6d617279aa52c3a973756dc3a92061a863617465676f7279c0ac616d6f756e745f63656e7473c0a472616e6bc0a5766f746573c088aa70726f6a6563745f6964d92430303762326233352d326439662d353831612d396630302d646462643531396134323832ac6f7267616e69736174696f6ea5736f6d6d65a57469746c65b050726f6a657420612028736f6d6d6529a773756d6d617279aa52c3a973756dc3a92061a863617465676f7279c0ac616d6f756e745f63656e7473c0a472616e6bc0a5766f746573c0a46d65746187a56163746f72a4686f7374a4726f6c65a4686f7374ac6f7267616e69736174696f6ea5736f6d6d65b26163746f725f6f7267616e69736174696f6ea5736f6d6d65a26174d6ff5de00418aa636f6d6d616e645f6964a163ae636f7272656c6174696f6e5f6964a163",
    ),
]


def stored(name: str) -> tuple[str, int, bytes]:
    topic, version, length, payload = next(row for row in STORED if row[0].endswith(f":Forum.{name}"))
    assert len(bytes.fromhex(payload)) == length
    return topic, version, bytes.fromhex(payload)


def decoded(name: str) -> object:
    topic, version, payload = stored(name)
    return decode_event(topic, payload, FORUM_ID, version)


@pytest.mark.parametrize("row", STORED, ids=[row[0].rpartition(".")[2] for row in STORED])
def test_an_event_stored_before_the_move_decodes_and_encodes_back_to_the_same_bytes(
    row: tuple[str, int, int, str],
) -> None:
    topic, version, _, payload = row
    assert topic.startswith("domain.forum:Forum.")  # the topics stay where they were
    raw = bytes.fromhex(payload)
    assert b"domain." not in raw  # no class path is stored: structs are maps of their fields
    event = decode_event(topic, raw, FORUM_ID, version)
    assert encode_event(event) == (topic, FORUM_ID, version, raw)


def test_stored_values_decode_to_the_classes_of_their_new_modules_with_their_values() -> None:
    prize = decoded("PrizeDefined").prize  # type: ignore[attr-defined]
    assert isinstance(prize, palmares.Prize)
    assert (prize.key, prize.kind, prize.amount_cents, prize.ranked) == ("laureats", "main", 150_000, True)

    project = decoded("ProjectNominated").project  # type: ignore[attr-defined]
    assert isinstance(project, nominations.ProjectSnapshot) and project.project_id == OISE_A
    assert all(isinstance(m, nominations.TeamMember) for m in project.team)
    assert [(m.person_id, m.role) for m in project.team] == [("agent-1", "porteuse"), ("agent-2", "")]

    slots = decoded("RunningOrderSet").slots  # type: ignore[attr-defined]
    assert all(isinstance(s, stage.PitchSlot) for s in slots)
    assert [(s.pitch_seconds, s.questions_seconds) for s in slots] == [(180, 300), (180, 300)]
    assert (slots[1].starts_at - slots[0].ends_at).total_seconds() == 60  # the changeover

    electorate = decoded("VoteOrganised").electorate  # type: ignore[attr-defined]
    assert [(v.person_id, v.organisation) for v in electorate] == [("sg-nord", "nord"), ("sg-oise", "oise")]
    assert all(isinstance(v, votes.Voter) for v in electorate)

    counted = decoded("VotesCounted")
    assert isinstance(counted.count, jury.VoteCount) and counted.count.laureates == (OISE_A,)  # type: ignore[attr-defined]
    assert [(a.project_id, a.amount_cents) for a in counted.awards] == [(OISE_A, None)]  # type: ignore[attr-defined]

    awards = decoded("LaureatesDesignated").awards  # type: ignore[attr-defined]
    assert all(isinstance(a, palmares.Award) for a in awards)
    assert [(a.project_id, a.amount_cents) for a in awards] == [(OISE_A, 120_000)]

    published = decoded("PalmaresPublished").palmares  # type: ignore[attr-defined]
    assert isinstance(published, palmares.Palmares)
    [laureate] = published.prize("laureats").laureates
    assert isinstance(laureate, palmares.PalmaresEntry)
    assert (laureate.organisation, laureate.amount_cents, laureate.rank) == ("oise", 120_000, 1)
    assert published.prize("academies").laureates[0].votes == 1
    assert [f.organisation for f in published.finalists] == ["nord", "oise", "somme"]


def test_domain_forum_still_answers_every_name_it_exported() -> None:
    moved = {
        coaching: ("CoachingSlot", "coaching_rota", "NotACoach", "NotAssignedCoach"),
        stage: ("PitchSlot", "running_order", "SlotOverlaps", "PitchesStarted"),
        nominations: ("ProjectSnapshot", "TeamMember", "QuotaExceeded", "NotNominated"),
        votes: ("Voter", "AlreadyVoted", "OwnOrganisationVote", "VoteNotCounted"),
        palmares: ("Prize", "PrizeKind", "Award", "Palmares", "BudgetExceeded", "PalmaresAlreadyPublished"),
        jury: ("ConflictOfInterest", "OwnOrganisationRecusal", "NotAJuror", "RankingOutdated"),
    }
    for module, names in moved.items():
        for name in names:
            assert getattr(domain.forum, name) is getattr(module, name), name
            assert name in domain.forum.__all__
    assert all(hasattr(domain.forum, name) for name in domain.forum.__all__)

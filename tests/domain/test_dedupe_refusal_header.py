"""A refusal class states its status and rule in its header; one that names neither keeps its parent's."""

from domain.errors import Conflict, DomainError, Invalid, NotFound
from domain.idea_call import CallCancelled
from forum.auth import LinkInvalid, WrongCredentials
from web.limits import BadParameter, TooDeep


def test_a_header_sets_status_and_rule_and_a_subclass_inherits_what_it_does_not_name():
    class Refused(DomainError, status=418, rule="teapot"): ...

    class StillRefused(Refused): ...

    class Renamed(Refused, rule="kettle"): ...

    assert (Refused.status, Refused.rule) == (418, "teapot")
    assert (StillRefused.status, StillRefused.rule) == (418, "teapot")
    assert (Renamed.status, Renamed.rule) == (418, "kettle")
    assert (DomainError.status, DomainError.rule) == (409, "refused")


def test_the_refusals_keep_their_statuses_and_rules():
    assert [(c.status, c.rule) for c in (Invalid, NotFound, Conflict, CallCancelled)] == [
        (422, "invalid"),
        (404, "not_found"),
        (409, "conflict"),
        (409, "call_cancelled"),
    ]
    assert [(c.status, c.rule) for c in (WrongCredentials, LinkInvalid, BadParameter, TooDeep)] == [
        (401, "wrong_credentials"),
        (404, "link_invalid"),
        (400, "invalid"),
        (400, "json_too_deep"),
    ]


def test_a_refusal_may_still_name_its_rule_when_raised():
    error = Invalid("Trop long.", field="title", rule="too_long")
    assert (error.status, error.rule, error.field, error.message) == (422, "too_long", "title", "Trop long.")
    assert Invalid.rule == "invalid"

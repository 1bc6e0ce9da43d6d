"""The disclosure procedure's rules: who may do what, and to records in which state.

Pure: takes people and records as data, returns decisions or raises RuleViolation.
"""

from __future__ import annotations

from collections.abc import Iterable

from dangwu.errors import IdentityError, RuleViolation
from dangwu.i18n import N_, _
from dangwu.office import DRAFTING_ROLES, ROLE_TITLES, ROSTER_ROLES, Person

GROUP_ROLES = frozenset({"leader", "member"})

# action -> roles that may do it [SPEC section 3]
MAY: dict[str, frozenset[str]] = {
    "create": DRAFTING_ROLES,
    "edit": DRAFTING_ROLES,
    "submit": DRAFTING_ROLES,
    "publish": DRAFTING_ROLES,
    "decide": GROUP_ROLES,
    "approve": GROUP_ROLES,
    "withdraw": GROUP_ROLES,
    "roster": ROSTER_ROLES,
    "feedback": frozenset({"supervisor"}) | DRAFTING_ROLES,
    "report": DRAFTING_ROLES,
}
ACTION_TITLES = {
    "create": N_("create records"),
    "edit": N_("edit records"),
    "submit": N_("submit records"),
    "publish": N_("publish records"),
    "decide": N_("record a collective decision"),
    "approve": N_("approve records"),
    "withdraw": N_("withdraw records"),
    "roster": N_("change the roster"),
    "feedback": N_("give feedback"),
    "report": N_("log reports"),
}

STATUSES = (
    "draft",
    "submitted",
    "decided",
    "approved",
    "consulting",
    "published",
    "withheld",
    "withdrawn",
)
# States whose content may still change [SPEC section 4: edit].
EDITABLE = frozenset({"draft", "submitted", "decided", "approved", "consulting"})


def role_names(roles: Iterable[str]) -> str:
    return _(" or ").join(_(ROLE_TITLES[r][0]) for r in sorted(roles))


def require(person: Person, action: str) -> None:
    allowed = MAY[action]
    if not allowed.intersection(person.roles):
        raise IdentityError(
            _(
                "{name} ({key}) may not {action}: that needs the role {roles}, "
                "and the roster gives {name} only {theirs}"
            ).format(
                name=person.name,
                key=person.key,
                action=_(ACTION_TITLES[action]),
                roles=role_names(allowed),
                theirs=role_names(person.roles),
            ),
            hint=_("ask someone with that role, or an office head to change the roster"),
            rule=f"role:{action}",
        )


def require_editable(record_id: str, status: str) -> None:
    if status in EDITABLE:
        return
    if status == "published":
        raise RuleViolation(
            _("{id} is published; published records are never edited in place").format(
                id=record_id
            ),
            hint=_("publish a correction: dangwu new ... --follows {id}").format(id=record_id),
            record_id=record_id,
            rule="published-is-final",
        )
    raise RuleViolation(
        _("{id} is {status}; its content can no longer change").format(
            id=record_id, status=_(status)
        ),
        record_id=record_id,
        rule="final-state",
    )

"""Actor names the war room writes on its own, which a person must not use.

The SLA report counts an incident resolved by one of these as resolved
without a person, and governance lets configured classifications replace
those of the first scan. A person recorded under such a name would skew both,
so the API and the TUI reject these names for people.
"""

from __future__ import annotations

from engine.incidents.sla import AUTOMATIC_ACTORS, is_person
from engine.jobs.alerts import ACTOR as SCHEDULER_ACTOR
from engine.store.governance import CONFIG_ACTOR, FIRST_SCAN_ACTOR

# The demo starts the adherence job under this name when the table is empty.
DEMO_ACTOR = "demo (startup)"

RESERVED_ACTORS = frozenset(
    {*AUTOMATIC_ACTORS, SCHEDULER_ACTOR, FIRST_SCAN_ACTOR, CONFIG_ACTOR, DEMO_ACTOR}
)
_RESERVED_FOLDED = frozenset(name.casefold() for name in RESERVED_ACTORS)


def is_reserved_actor(name: str) -> bool:
    """Tell whether ``name`` is, or reads as, an actor the war room writes itself.

    The check ignores case and repeated or surrounding whitespace, so
    "Engine  (auto)" is reserved as well as "engine (auto)". Drill actors
    ("drill 12") are reserved too.
    """
    folded = " ".join(name.split()).casefold()
    return folded in _RESERVED_FOLDED or not is_person(folded)

"""How registration holds its limits under concurrency, and the row locks that do it.

Anything that is counted against a limit is decided while holding a
row lock on the row that *owns* the limit, taken with ``select_for_update()``
before the count:

- seats of a session (visit bus, gala dinner): the ``Session`` row;
- capacity of a registration type: the ``RegistrationType`` row;
- uses of a voucher: the ``Voucher`` row (plus a CHECK constraint used <= max_uses);
- receipt numbers of an edition (gapless): the edition's ``RegistrationPolicy`` row,
  taken after the order's row (``payment_confirm``).

Every writer of the limited rows takes the same lock first, so the count it reads
cannot change until it commits: no oversell, and the waiting list is ordered by
the moment each request got the lock. We chose row locks over optimistic
retries (version columns) or SERIALIZABLE isolation because a sign-up rush is
exactly the high-contention case where retries thrash, and because locking the
owner row keeps unrelated sessions fully parallel. Locks are always taken in the
order registration → type → voucher → sessions (by id), so two transactions
cannot deadlock. SQLite has no row locks; there ``transaction_mode=IMMEDIATE``
(settings) makes every transaction take the database write lock at BEGIN, which
serialises writers the same way.
"""

from __future__ import annotations

from atrium.events.models import Session
from atrium.registration.models import Registration


def lock_registration(registration: Registration) -> Registration:
    """The registration's row, locked, with what its rules read."""
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("order", "person", "conference", "type")
        .get(pk=registration.pk)
    )


def lock_session(session: Session) -> Session:
    """The quota lock: every change to a session's bookings holds it."""
    return Session.objects.select_for_update().get(pk=session.pk)

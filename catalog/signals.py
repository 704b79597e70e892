"""What the catalog announces to the apps built on it; they subscribe in their AppConfig.ready().

Imports between apps run one way: other apps import the catalog, the catalog imports none of them.
Where something done in the catalog has consequences in another app (a withdrawn entry ends the
grants of it and refuses the applications for it), the catalog sends a signal and that app acts.

resource_withdrawing(sender=DataResource, resource, actor, ip)
    Sent by services.resource_withdraw inside the withdrawal's transaction, once the entry is
    withdrawn and its version saved, and before the withdrawal's audit event: a receiver ends what
    must end with the entry, in the same transaction, and locks its own rows before the withdrawal
    takes the audit chain's lock. A receiver that cannot do its part raises WithdrawalRefused with a
    message for the user: the whole withdrawal rolls back and the message is the CatalogError's.

resource_withdrawn(sender=DataResource, resource)
    Sent after the withdrawal has committed (transaction.on_commit), for work that must not be part
    of its transaction, such as queuing a task. Not sent if it rolls back.
"""

from __future__ import annotations

from django.dispatch import Signal

resource_withdrawing = Signal()
resource_withdrawn = Signal()


class WithdrawalRefused(Exception):
    """Raised by a resource_withdrawing receiver that cannot carry out its part: the withdrawal fails."""

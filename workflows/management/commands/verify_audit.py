from django.core.management.base import BaseCommand, CommandError

from workflows.audit import verify_chain
from workflows.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Verify the hash chain of the audit trail; name the first broken event. "
        "Prints the head hash: keep it outside the database and pass it back with --anchor, "
        "so that events deleted from the end of the chain are noticed too."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            metavar="HASH",
            help="a head hash printed by an earlier run; the chain must still contain it",
        )

    def handle(self, **options):
        count, broken = verify_chain()
        if broken is not None:
            raise CommandError(
                f"BROKEN: audit event #{broken.event_id}: {broken.reason} ({count} events before it verified)",
                returncode=1,
            )
        anchor = options["anchor"]
        if anchor and not AuditEvent.objects.filter(hash=anchor).exists():
            # The chain alone cannot tell: its remaining events still link up.
            raise CommandError(
                f"BROKEN: the anchored event {anchor} is no longer in the chain: "
                f"events were deleted from its end ({count} events verified)",
                returncode=1,
            )
        head = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        self.stdout.write(f"OK: {count} audit events verified")
        if head is not None:
            self.stdout.write(f"head: #{head[0]} {head[1]}")

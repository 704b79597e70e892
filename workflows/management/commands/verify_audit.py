from django.core.management.base import BaseCommand, CommandError

from workflows.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail; name the first broken event."

    def handle(self, **options):
        count, broken = verify_chain()
        if broken is not None:
            raise CommandError(
                f"BROKEN: audit event #{broken.event_id}: {broken.reason} ({count} events before it verified)",
                returncode=1,
            )
        self.stdout.write(f"OK: {count} audit events verified")

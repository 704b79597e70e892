import re

from django.core.management.base import BaseCommand, CommandError

from workflows.audit import verify_chain
from workflows.models import AuditEvent

# The head as this command prints it ("head: #1147 <hash>", "#1147 <hash>") or its hash alone.
ANCHOR = re.compile(r"(?:head:\s*)?(?:#(?P<id>\d+)\s+)?(?P<hash>[0-9a-f]{64})")
BAD_ANCHOR = (
    "--anchor 格式不对：请传入 verify_audit 打印的链头，即“#<编号> <哈希>”（例如 #1147 2e9f…，哈希为 64 位十六进制），"
    "或只传其中的 64 位哈希。"
)


def parse_anchor(value: str) -> tuple[int | None, str]:
    """The anchored event's id (when given) and hash; CommandError (exit 2) for anything else."""
    match = ANCHOR.fullmatch(value.strip().lower())
    if match is None:
        raise CommandError(BAD_ANCHOR, returncode=2)
    return (int(match["id"]) if match["id"] else None), match["hash"]


class Command(BaseCommand):
    help = (
        "Verify the hash chain of the audit trail; name the first broken event. "
        "Prints the head hash: keep it outside the database and pass it back with --anchor, "
        "so that events deleted from the end of the chain are noticed too."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            metavar="HEAD",
            help='the head printed by an earlier run ("#<id> <hash>", quoted, or the hash alone); '
            "the chain must still contain it",
        )

    def handle(self, **options):
        anchor = None if options["anchor"] is None else parse_anchor(options["anchor"])
        count, broken = verify_chain()
        if broken is not None:
            raise CommandError(
                f"BROKEN: audit event #{broken.event_id}: {broken.reason} ({count} events before it verified)",
                returncode=1,
            )
        if anchor is not None and not _anchored(*anchor).exists():
            # The chain alone cannot tell: its remaining events still link up.
            raise CommandError(
                f"BROKEN: the anchored event {options['anchor'].strip()} is no longer in the chain: "
                f"events were deleted from its end ({count} events verified)",
                returncode=1,
            )
        head = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        self.stdout.write(f"OK: {count} audit events verified")
        if head is not None:
            self.stdout.write(f"head: #{head[0]} {head[1]}")


def _anchored(event_id: int | None, hash: str):
    events = AuditEvent.objects.filter(hash=hash)
    return events if event_id is None else events.filter(pk=event_id)

import re

from django.core.management.base import CommandError

from workflows.audit import verify_chain
from workflows.management.verdict import Broken, VerdictCommand
from workflows.models import AuditEvent

# The head as this command prints it ("head: #1147 <hash>", "#1147 <hash>") or its hash alone.
ANCHOR = re.compile(r"(?:head:\s*)?(?:#(?P<id>\d+)\s+)?(?P<hash>[0-9a-f]{64})")
EMPTY = "BROKEN: 审计链为空，没有任何审计事件：审计表被清空，或连错了数据库。尚未产生任何事件的新库请加 --allow-empty"
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


class Command(VerdictCommand):
    help = (
        "Verify the hash chain of the audit trail; name the first broken event. "
        "Prints the head hash: keep it outside the database and pass it back with --anchor, "
        "so that events deleted from the end of the chain are noticed too. An empty chain is BROKEN "
        "unless --allow-empty."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            metavar="HEAD",
            help='the head printed by an earlier run ("#<id> <hash>", quoted, or the hash alone); '
            "the chain must still contain it",
        )
        parser.add_argument(
            "--allow-empty",
            action="store_true",
            help="a chain of no events is OK (a new database); without it, an empty chain is BROKEN",
        )

    def handle(self, **options):
        anchor = None if options["anchor"] is None else parse_anchor(options["anchor"])
        count, broken = verify_chain()
        if broken is not None:
            raise Broken(f"BROKEN: 审计事件 #{broken.event_id}：{broken.reason}（其前 {count} 条事件核验无误）")
        if count == 0 and not options["allow_empty"]:
            raise Broken(EMPTY)
        if anchor is not None:
            _check_anchor(*anchor, count=count)
        head = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        self.stdout.write(f"OK: 已核验审计事件 {count} 条，哈希链完整")
        if head is not None:
            self.stdout.write(f"head: #{head[0]} {head[1]}")


def _check_anchor(event_id: int | None, hash: str, *, count: int) -> None:
    """The anchored event must still be in the chain, as the anchor names it. The chain alone cannot
    tell that its newest events were deleted, nor that it was rewritten with every hash recomputed."""
    holder = AuditEvent.objects.filter(hash=hash).values_list("pk", flat=True).first()
    stored = None if event_id is None else AuditEvent.objects.filter(pk=event_id).values_list("hash", flat=True).first()
    if holder is not None and event_id in (None, holder):
        return
    if holder is not None:
        # Both exist and the chain verified: the anchor pairs one event's id with another's hash.
        held = f" #{event_id} 的哈希是 {stored}" if stored else f"没有事件 #{event_id}"
        raise CommandError(
            f"锚点不匹配：哈希 {hash} 属于事件 #{holder}，而链中{held}。"
            "请传入 verify_audit 同一次打印的“head: #<编号> <哈希>”。",
            returncode=2,
        )
    if stored is not None:
        raise Broken(
            f"BROKEN: 锚点事件 #{event_id} 的哈希已不是 {hash}，库中为 {stored}："
            f"该事件及其后的链条被改写，或锚点抄错（已核验 {count} 条事件）"
        )
    named = f" #{event_id}（哈希 {hash}）" if event_id is not None else f"（哈希 {hash}）"
    raise Broken(f"BROKEN: 锚点事件{named}已不在链中：链尾的事件被删除，或链条被改写（已核验 {count} 条事件）")

from django.core.management.base import BaseCommand, CommandError

from workflows.flowtasks import SubjectFlow, disagreements


class Command(BaseCommand):
    help = (
        "Check that every subject's state agrees with its open human tasks: exactly one open task, at the "
        "expected step, where the state expects one, and none where it does not. Exits 1 naming each disagreement."
    )

    def handle(self, **options):
        found, checked = [], []
        for flow_class in SubjectFlow.subclasses():
            checked.append(str(flow_class.subject_model._meta.verbose_name))
            found += list(disagreements(flow_class))
        for line in found:
            self.stderr.write(line)
        if found:
            raise CommandError(f"BROKEN: {len(found)} 处状态与待办任务不一致", returncode=1)
        self.stdout.write(f"OK: 状态与待办任务一致（{'、'.join(checked)}）")

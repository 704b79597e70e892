from workflows.flowtasks import SubjectFlow, disagreements
from workflows.management.verdict import Broken, VerdictCommand


class Command(VerdictCommand):
    help = (
        "Check that every subject's state agrees with its open human tasks: exactly one open task, at the "
        "expected step, where the state expects one, and none where it does not. Prints each disagreement and a BROKEN "
        "line on standard output and exits 1."
    )

    def handle(self, **options):
        found, checked = [], []
        for flow_class in SubjectFlow.subclasses():
            checked.append(str(flow_class.subject_model._meta.verbose_name))
            found += list(disagreements(flow_class))
        for line in found:
            self.stdout.write(line)
        if found:
            raise Broken(f"BROKEN: {len(found)} 处状态与待办任务不一致")
        self.stdout.write(f"OK: 状态与待办任务一致（{'、'.join(checked)}）")

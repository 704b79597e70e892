"""The zombie rule set (僵尸系统认定规则), versioned, and what it reads (callers import from here):

- rules: each rule with its code, Chinese name, clause, thresholds (settings ZOMBIE_*) and explanation;
- evidence: every scanned system's evidence, loaded in a fixed number of queries;
- platform: the 共享平台 usage source, computed from the grant check's statistics.

The scan that runs them and writes the assessments is systems_inventory.services.scan.
"""

from systems_inventory.zombie_rules.evidence import SystemEvidence, load, scanned_systems
from systems_inventory.zombie_rules.rules import (
    RULES,
    RULES_BY_CODE,
    RULESET_VERSION,
    Context,
    Finding,
    Rule,
    Thresholds,
    evaluate,
    is_candidate,
    keys,
    suppressed,
)

__all__ = [
    "RULES",
    "RULES_BY_CODE",
    "RULESET_VERSION",
    "Context",
    "Finding",
    "Rule",
    "SystemEvidence",
    "Thresholds",
    "evaluate",
    "is_candidate",
    "keys",
    "load",
    "scanned_systems",
    "suppressed",
]

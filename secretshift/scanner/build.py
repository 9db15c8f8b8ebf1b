"""The engine built from one :class:`~secretshift.config.Config`: the enabled pack rules, the user's
rules, and the Python detectors, each handed the same config (a rule disabled here stays disabled
everywhere, also inside what a detector decodes)."""
from __future__ import annotations

from secretshift.config import Config
from secretshift.models import Allowlist, Rule
from secretshift.scanner.engine import Engine


def active_rules(config: Config) -> list[Rule]:
    from secretshift.scanner.rules import builtin_rules, unique

    rules = unique([*builtin_rules(examples=False), *config.extra_rules])
    return [r for r in rules if rule_enabled(r.id, config)]


def rule_enabled(rule_id: str, config: Config) -> bool:
    if rule_id in config.disabled:
        return False
    return config.enabled_only is None or rule_id in config.enabled_only


def build_engine(config: Config, small: bool = False) -> Engine:
    """``small``: a handful of files, where the RE2 prefilter finishes before hyperscan
    would even be imported."""
    from secretshift.plugins import detector_factories

    detectors = []
    for factory in detector_factories().values():
        detector = factory()
        if any(rule_enabled(rule.id, config) for rule in detector.rules):
            detectors.append(detector)
    allowlist = Allowlist(config.allowlist.stopwords, config.allowlist.regexes)
    return Engine(active_rules(config), detectors, allowlist, use_hyperscan=not small)


def all_rule_descriptions(config: Config) -> list[Rule]:
    """Every rule a scan with ``config`` may report: pack rules and detector rules."""
    from secretshift.plugins import detector_factories

    rules = active_rules(config)
    for factory in detector_factories().values():
        rules.extend(r for r in factory().rules if rule_enabled(r.id, config))
    return rules

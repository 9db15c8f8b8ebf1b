"""The engine built from one :class:`~secretshift.config.Config`: the enabled pack rules, the user's
rules, and the Python detectors, each handed the same config (a rule disabled here stays disabled
everywhere, also inside what a detector decodes)."""
from __future__ import annotations

from functools import partial

from secretshift.config import Config
from secretshift.models import Allowlist, Rule
from secretshift.scanner.detector import Rescanning
from secretshift.scanner.engine import Engine


def active_rules(config: Config) -> list[Rule]:
    from secretshift.scanner.rules import builtin_rules, unique

    rules = unique([*builtin_rules(examples=False), *config.extra_rules])
    return [r for r in rules if rule_enabled(r.id, config)]


def rule_enabled(rule_id: str, config: Config) -> bool:
    if rule_id in config.disabled:
        return False
    return config.enabled_only is None or rule_id in config.enabled_only


def check_config_rules(config: Config) -> None:
    """Unknown rule ids in ``enable``/``disable`` are an error even when there is nothing to scan."""
    if config.enabled_only or config.disabled:
        _check_rule_ids(config)


def build_engine(config: Config, small: bool = False) -> Engine:
    """``small``: a handful of files. Hyperscan's one pass wins even there once its compiled
    keyword database is in the cache (measured on a one-file commit: 15% fewer instructions
    than compiling RE2's alternation of ~1,000 keywords; the database's compile, 0.1-0.3 s, is
    paid once per rule set). With the cache turned off, a small scan takes RE2, which compiles
    in milliseconds."""
    from secretshift.scanner.cache import cache_dir

    if config.enabled_only or config.disabled:
        _check_rule_ids(config)  # before the engine is built: a mistake must not cost a compile
    return _engine(config, not small or cache_dir() is not None, None, 0)


def _check_rule_ids(config: Config) -> None:
    from secretshift.config import check_rule_ids
    from secretshift.plugins import detector_factories
    from secretshift.scanner.rules import builtin_rules

    known = {rule.id for rule in (*builtin_rules(examples=False), *config.extra_rules)}
    for factory in detector_factories().values():
        known.update(rule.id for rule in factory().rules)
    check_rule_ids(config, known)


def _engine(config: Config, use_hyperscan: bool, detector_names: tuple[str, ...] | None, depth: int) -> Engine:
    """``detector_names``: only these detectors (None: all); ``depth``: decoding levels above
    this engine (decoded text is scanned by an engine built here too, from the same config)."""
    from secretshift.plugins import detector_factories

    detectors = []
    for name, factory in detector_factories().items():
        if detector_names is not None and name not in detector_names:
            continue
        detector = factory()
        if not any(rule_enabled(rule.id, config) for rule in detector.rules):
            continue
        if isinstance(detector, Rescanning):
            if depth >= detector.max_depth:
                continue
            detector.use_engine(partial(_engine, config, True, detector.rescan_with, depth + 1))
        detectors.append(detector)
    allowlist = Allowlist(config.allowlist.stopwords, config.allowlist.regexes)
    return Engine(
        active_rules(config), detectors, allowlist, use_hyperscan=use_hyperscan,
        min_confidence=config.min_confidence or "low", hash_key=config.hash_key,
    )


def all_rule_descriptions(config: Config) -> list[Rule]:
    """Every rule a scan with ``config`` may report: pack rules and detector rules."""
    from secretshift.plugins import detector_factories

    rules = active_rules(config)
    for factory in detector_factories().values():
        rules.extend(r for r in factory().rules if rule_enabled(r.id, config))
    return rules

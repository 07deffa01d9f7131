"""Reading a wall's alert rules file: every problem first, then one ``SpecError``."""

from __future__ import annotations

from pathlib import Path

from command_center.errors import SpecError, SpecProblem
from command_center.spec_problems import ProblemLog, read_spec
from layouts.alert_check import KnownNames, check_alert_rules
from layouts.alert_rules import AlertRule


def check_alert_rules_file(
    path: Path, known: KnownNames
) -> tuple[list[SpecProblem], dict[str, AlertRule]]:
    """The file's problems, and its rules by id when there are none."""
    log = ProblemLog(str(path))
    source = read_spec(path, log)
    if source is None:
        return log.problems, {}
    checked = check_alert_rules(source.data, known, log)
    if checked is None:
        return log.problems, {}
    return [], {rule.id: rule for rule in checked.rules}


def load_alert_rules(path: Path | None, known: KnownNames) -> dict[str, AlertRule]:
    """The rules by id (none for no file); ``SpecError`` listing every problem."""
    if path is None or not path.exists():
        return {}
    problems, rules = check_alert_rules_file(path, known)
    if problems:
        raise SpecError(problems)
    return rules

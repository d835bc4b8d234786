"""AFS-1: where a new case goes. The routing rules (admin) match a case by product line, case
type and severity; a blank criterion matches anything. The most specific active rule wins (the
most criteria matched exactly; ties go to the lower position)."""
from __future__ import annotations

from .models import RoutingRule


def route(*, product=None, case_type: str = "", severity: str = ""):
    """(department, default owner) of the best active rule, or None when no rule matches."""
    product_line = (getattr(product, "product_line", "") or "") if product is not None else ""
    best = None
    best_key = None
    for rule in RoutingRule.objects.filter(is_active=True).select_related("department", "default_owner"):
        checks = ((rule.product_line, product_line), (rule.case_type, case_type or ""), (rule.severity, severity or ""))
        if any(wanted and wanted != given for wanted, given in checks):
            continue
        if not rule.department.is_active:
            continue
        key = (-sum(1 for wanted, _given in checks if wanted), rule.position, rule.pk)
        if best_key is None or key < best_key:
            best, best_key = rule, key
    if best is None:
        return None
    owner = best.default_owner if best.default_owner is not None and best.default_owner.is_active else None
    return best.department, owner

"""SLA-1 rights: who may reload the working calendar from the `holidays` package."""
import rules

from qsm.org.rules import in_quality_department, is_administrator, is_manager, is_quality_officer

# The administrators, and the quality department's officers and managers (the SLA's owners).
can_reload_calendar = is_administrator | (in_quality_department & (is_manager | is_quality_officer))

rules.add_perm("sla.reload_calendar", can_reload_calendar)

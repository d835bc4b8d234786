"""CMP-5: the case report of a closed complaint (§5(四)1 案例报告: the cause, the responsibility,
the measures, the lessons learned).

The report is written by the investigator or the quality department, prefilled from the complaint,
saved as a draft as often as needed and made final once; a final report prints as a Chinese PDF
(``complaints/pdf.py``) and no longer changes. Writes lock the complaint (the root) first.
"""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.workflow import engine
from qsm.workflow.locking import locked

from ..models import CaseReport, Complaint, Measure
from ..rules import can_write_report
from ..validation import clean_text

C = Complaint.Status
CLOSED_STATES = Complaint.CLOSED_STATES
REPORT_FIELDS = ("summary", "cause_text", "responsibility_text", "measures_text", "lessons_learned")
MAX_REPORT_TEXT = 5000


def case_report_initial(complaint: Complaint) -> dict[str, str]:
    """What the complaint already says, as the report's first draft (in the writer's language: it is
    text the writer edits, not a label)."""
    whys = [w for w in (complaint.whys or []) if w]
    cause_lines = []
    if complaint.cause_id:
        cause_lines.append(str(complaint.cause))
    cause_lines += [_("Why %(n)s: %(text)s") % {"n": n, "text": w} for n, w in enumerate(whys, start=1)]
    if complaint.root_cause:
        cause_lines.append(complaint.root_cause)
    responsibility = ", ".join(str(x) for x in (complaint.responsible_department, complaint.responsible_person)
                               if x is not None)
    measures = []
    for measure in (Measure.objects.filter(plan__complaint=complaint, status=Measure.Status.DONE)
                    .select_related("plan", "owner").order_by("plan__version", "position", "id")):
        line = f"v{measure.plan.version} · {measure.description}"
        if measure.done_note:
            line += f" — {measure.done_note}"
        measures.append(line)
    summary = complaint.subject
    if complaint.description:
        summary += "\n" + complaint.description
    return {"summary": summary, "cause_text": "\n".join(cause_lines), "responsibility_text": responsibility,
            "measures_text": "\n".join(measures), "lessons_learned": ""}


def _clean(data: dict, *, finalise: bool) -> dict[str, str]:
    errors: dict = {}
    # A final report needs at least its summary, its cause and its lessons (§5(四)1).
    needed = ("summary", "cause_text", "lessons_learned") if finalise else ()
    cleaned = {name: clean_text(errors, name, data.get(name, ""), max_length=MAX_REPORT_TEXT,
                                required=_("Required for a final report.") if name in needed else "")
               for name in REPORT_FIELDS}
    if errors:
        raise ValidationError(errors, code="invalid")
    return cleaned


def case_report_save(*, complaint: Complaint, actor, data: dict, finalise: bool = False) -> CaseReport:
    """Save the case report (a draft); ``finalise``: it becomes final (summary, cause and lessons
    learned are then required) and can no longer change."""
    cleaned = _clean(data, finalise=finalise)
    with locked(complaint, actor=actor, allowed=can_write_report,
                denied=_("You are not allowed to write this complaint's case report."), states=CLOSED_STATES,
                wrong_state=_("This complaint is “%(state)s”: a case report is written once it is closed.")) as current:
        report = CaseReport.objects.filter(complaint=current).first()
        if report is None:
            report = CaseReport.objects.create(complaint=current, written_by=actor, written_at=timezone.now(),
                                               **cleaned)
            engine.record_created(report, actor=actor)
        else:
            if report.status == CaseReport.Status.FINAL:
                raise TransitionNotAllowed(_("The case report is final: it can no longer be changed."),
                                           action="edit", state=report.status)
            engine.edit(report, actor=actor, data={**cleaned, "written_by": actor, "written_at": timezone.now()},
                        tracked=REPORT_FIELDS)
        if finalise:
            report = engine.fire(report, "finalize", actor=actor)
    return report

from inscope.exams.models.escalations import Escalation, Notification
from inscope.exams.models.examinations import ChecklistRecord, ExamEvent, Examination, Exposure, Patient

__all__ = ["ChecklistRecord", "Escalation", "ExamEvent", "Examination", "Exposure", "Notification", "Patient"]

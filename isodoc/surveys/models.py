"""Citizen satisfaction (ISO 9001:2015 9.1.2): answers to an agency's public survey,
one per dossier receipt number, with scores on a 1–5 scale and an optional comment
(góp ý, phản ánh, kiến nghị)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from isodoc.agencies.models import Agency
from isodoc.extensions import db
from isodoc.i18n import _l
from isodoc.timeutil import utcnow


class Question(StrEnum):
    """The survey's questions: the Bộ Nội vụ's satisfaction index (SIPAS) asks about the
    same four things at the one-stop-shop desk."""

    GUIDANCE = "guidance"
    ATTITUDE = "attitude"
    TIMELINESS = "timeliness"
    OVERALL = "overall"

    @property
    def text(self) -> str:
        """The question as the citizen reads it (fixed in code: interface text)."""
        return str(QUESTION_TEXTS[self])

    @property
    def short(self) -> str:
        return str(QUESTION_SHORT[self])


# lazy: the public form's fields are built once, their labels follow each request
QUESTION_TEXTS = {
    Question.GUIDANCE: _l("Thủ tục được niêm yết, hướng dẫn đầy đủ, dễ hiểu"),
    Question.ATTITUDE: _l("Thái độ của công chức tiếp nhận, giải quyết hồ sơ"),
    Question.TIMELINESS: _l("Hồ sơ được giải quyết, trả kết quả đúng hẹn"),
    Question.OVERALL: _l("Mức độ hài lòng chung của Ông/Bà"),
}
QUESTION_SHORT = {Question.GUIDANCE: _l("Hướng dẫn"), Question.ATTITUDE: _l("Thái độ"),
                  Question.TIMELINESS: _l("Đúng hẹn"), Question.OVERALL: _l("Hài lòng chung")}
SCORES = {1: _l("Rất không hài lòng"), 2: _l("Không hài lòng"), 3: _l("Bình thường"),
          4: _l("Hài lòng"), 5: _l("Rất hài lòng")}
LOW_SCORE = 2  # a score at or below this is a low score (may become a finding)


class CommentKind(StrEnum):
    NONE = ""
    SUGGESTION = "suggestion"
    COMPLAINT = "complaint"   # phản ánh
    PETITION = "petition"     # kiến nghị

    @property
    def label(self) -> str:
        return str(COMMENT_LABELS[self])

    @property
    def is_complaint(self) -> bool:
        """Phản ánh, kiến nghị: what the agency must answer (Nghị định 20/2008)."""
        return self in (CommentKind.COMPLAINT, CommentKind.PETITION)


COMMENT_LABELS = {CommentKind.NONE: _l("Không có ý kiến"), CommentKind.SUGGESTION: _l("Góp ý"),
                  CommentKind.COMPLAINT: _l("Phản ánh"), CommentKind.PETITION: _l("Kiến nghị")}


class SurveyResponse(db.Model):
    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("agency_id", "receipt", name="uq_survey_receipt"),
                      UniqueConstraint("agency_id", "year", "seq", name="uq_survey_number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    year: Mapped[int]
    seq: Mapped[int]
    receipt: Mapped[str] = mapped_column(String(40))          # mã hồ sơ, normalised
    tthc_code: Mapped[str | None] = mapped_column(String(16), index=True)
    comment_kind: Mapped[str] = mapped_column(String(16), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    lowest: Mapped[int]                                        # the lowest of its scores
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"))

    agency: Mapped[Agency] = relationship()
    scores: Mapped[list[SurveyScore]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="SurveyScore.id")
    finding = relationship("Finding")

    @property
    def code(self) -> str:
        return f"KS-{self.year}-{self.seq:04d}"

    @property
    def kind(self) -> CommentKind:
        return CommentKind(self.comment_kind)

    @property
    def is_low(self) -> bool:
        return self.lowest <= LOW_SCORE

    @property
    def may_become_finding(self) -> bool:
        return self.finding_id is None and (self.is_low or self.kind.is_complaint)

    def score(self, question: Question) -> int | None:
        return next((s.score for s in self.scores if s.question == question), None)


class SurveyScore(db.Model):
    __tablename__ = "survey_score"
    __table_args__ = (UniqueConstraint("response_id", "question", name="uq_survey_score"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_response.id"), index=True)
    question: Mapped[str] = mapped_column(String(16))
    score: Mapped[int]

    response: Mapped[SurveyResponse] = relationship(back_populates="scores")

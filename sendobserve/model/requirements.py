"""The requirements the rules check, and the thresholds, each tied to its paragraph.

The edition files (``model.rulebook``, ``resources/editions/``) are the source of the
thresholds, titles, paragraphs and discretion the engine applies; the constants here are
the 2018 edition's, for code that needs a name (tests keep them equal to the file).

The ids are stable: a recorded ``Discretion.requirement_id`` names one of them, the UI
labels rows with ``TITLES`` and Form 4 prints them. Thresholds are ``Decimal`` hours so
that sums of logged hours compare exactly (4.1 + 4.1 + 3.8 is 12, not 11.999…).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

# --- Thresholds (the Standards, version 1, May 2018) -------------------------------------

FOUNDATION_MIN_HOURS: Final = Decimal("40")  # §1.1 "40 hours in length"
SEND_TRAINING_MIN_HOURS: Final = Decimal("12")  # §1.1 "a minimum of 12 hours' delivery"
CASEWORK_MIN_HOURS: Final = Decimal("12")  # §1.2 "at least 12 hours of casework"
REFLECTION_MIN_HOURS: Final = Decimal("2")  # §1.2 "a further 2 hours of reflection"
MIN_ACTIVE_CASES: Final = 3  # §1.2 "over a minimum of three cases"; §1.3 "three cases"
RENEWAL_CPD_MIN_HOURS: Final = Decimal("20")  # §1.4.3 "a minimum of 20 hours … CPD"
RENEWAL_MIN_CASES: Final = 3  # §1.4.3 "at least three mediation cases"
RENEWAL_WINDOW_MONTHS: Final = 12  # §1.4.3 "re-register on an annual basis"
PASSPORT_MIN_LED_CASES_PER_YEAR: Final = 3  # Form 5 "a caseload of 3 cases per year minimum"
PASSPORT_FOUNDATION_MIN_HOURS: Final = FOUNDATION_MIN_HOURS  # Form 5 "(minimum 40 hours)"

# --- Accreditation (Form 4) --------------------------------------------------------------

FOUNDATION_TRAINING: Final = "foundation_training"
SEND_TRAINING: Final = "send_training"
CASEWORK_HOURS: Final = "casework_hours"
REFLECTION_HOURS: Final = "reflection_hours"
OBSERVED_FIRST: Final = "observed_first"
THREE_ACTIVE_CASES: Final = "three_active_cases"
FINAL_CASE_LED: Final = "final_case_led"
FINAL_CASE_OBSERVED: Final = "final_case_observed"
DEBRIEF_EACH_CASE: Final = "debrief_each_case"
CRITERIA_DEMONSTRATED: Final = "criteria_demonstrated"
FORM4_SIGNER: Final = "form4_signer"

# --- Annual re-registration ----------------------------------------------------------------

RENEWAL_CPD_HOURS: Final = "renewal_cpd_hours"
RENEWAL_CASES: Final = "renewal_cases"
RENEWAL_SUPPORT: Final = "renewal_mentoring_or_supervision"

# --- Passporting (Form 5) ------------------------------------------------------------------

PASSPORT_ROUTE: Final = "passport_route"
PASSPORT_SEND_PRACTICE_SINCE: Final = "passport_send_practice_since"
PASSPORT_FOUNDATION_TRAINING: Final = "passport_foundation_training"
PASSPORT_LEAD_CASES: Final = "passport_lead_cases"
PASSPORT_ANNUAL_CPD: Final = "passport_annual_cpd"


@dataclass(frozen=True, slots=True)
class RequirementInfo:
    id: str
    title: str  # a short human label for the UI and the certificates
    paragraph: str  # where in the Standards it comes from


_ALL: tuple[RequirementInfo, ...] = (
    RequirementInfo(FOUNDATION_TRAINING, "Foundation training of at least 40 hours", "§1.1"),
    RequirementInfo(
        SEND_TRAINING,
        "SEND-specific training of at least 12 hours by a CMC or COM recognised provider",
        "§1.1",
    ),
    RequirementInfo(CASEWORK_HOURS, "At least 12 hours of casework", "§1.2"),
    RequirementInfo(REFLECTION_HOURS, "At least 2 hours of reflection on practice", "§1.2"),
    RequirementInfo(OBSERVED_FIRST, "Observed a SEND case before co-working", "§1.2"),
    RequirementInfo(
        THREE_ACTIVE_CASES, "Took an active part in at least three cases", "§1.2, §1.3"
    ),
    RequirementInfo(FINAL_CASE_LED, "Led the final case", "§1.3"),
    RequirementInfo(
        FINAL_CASE_OBSERVED,
        "Final case observed by a PPC or an experienced SEND mediator",
        "§1.3",
    ),
    RequirementInfo(DEBRIEF_EACH_CASE, "A Form 3 de-brief after each case", "§1.2"),
    RequirementInfo(
        CRITERIA_DEMONSTRATED,
        "Every criterion of Forms 1–3 demonstrated over the practice period",
        "§1.2, Appendix A",
    ),
    RequirementInfo(
        FORM4_SIGNER,
        "A Form 4 signer: an experienced SEND mediator who observed, mentored and supported"
        " the trainee's reflection",
        "Appendix A",
    ),
    RequirementInfo(RENEWAL_CPD_HOURS, "At least 20 hours of CPD in the last 12 months", "§1.4.3"),
    RequirementInfo(RENEWAL_CASES, "At least three cases in the last 12 months", "§1.4.3"),
    RequirementInfo(
        RENEWAL_SUPPORT, "Mentoring or supervision accessed in the last 12 months", "§1.4.3, §1.5"
    ),
    RequirementInfo(
        PASSPORT_ROUTE,
        "A passporting route: on a provider's panel, confirmed by the provider (A), or a"
        " pioneer (B)",
        "§1.6 (A), (B)",
    ),
    RequirementInfo(
        PASSPORT_SEND_PRACTICE_SINCE, "Working as a SEND mediator since a known date",
        "§1.6, Form 5",
    ),
    RequirementInfo(
        PASSPORT_FOUNDATION_TRAINING, "Foundation training of at least 40 hours", "§1.6, Form 5"
    ),
    RequirementInfo(
        PASSPORT_LEAD_CASES, "Lead SEND mediator with at least 3 cases a year", "§1.6, Form 5"
    ),
    RequirementInfo(PASSPORT_ANNUAL_CPD, "Relevant CPD every year", "§1.5, Form 5"),
)

REQUIREMENTS: Final[dict[str, RequirementInfo]] = {info.id: info for info in _ALL}
TITLES: Final[dict[str, str]] = {info.id: info.title for info in _ALL}

ACCREDITATION_IDS: Final = (
    FOUNDATION_TRAINING,
    SEND_TRAINING,
    CASEWORK_HOURS,
    REFLECTION_HOURS,
    OBSERVED_FIRST,
    THREE_ACTIVE_CASES,
    FINAL_CASE_LED,
    FINAL_CASE_OBSERVED,
    DEBRIEF_EACH_CASE,
    CRITERIA_DEMONSTRATED,
    FORM4_SIGNER,
)
RENEWAL_IDS: Final = (RENEWAL_CPD_HOURS, RENEWAL_CASES, RENEWAL_SUPPORT)
PASSPORT_IDS: Final = (
    PASSPORT_ROUTE,
    PASSPORT_SEND_PRACTICE_SINCE,
    PASSPORT_FOUNDATION_TRAINING,
    PASSPORT_LEAD_CASES,
    PASSPORT_ANNUAL_CPD,
)

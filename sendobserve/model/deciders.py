"""Who may decide a conflict between two versions of a trainee's record.

A conflict is two laptops disagreeing about what the record says: which hours, which
marks, whether an entry was deleted. The Standards leave deciding what a trainee's record
shows to those who assess and vouch for it, so the decision is theirs, never the
trainee's own:

- a **PPC** (they assess the trainee's practice and keep the register entries, §1.3 and
  Appendix A) and a **mentor** (mentoring and supervision, §1.3);
- the trainee's **signer-capable roles**: a regional manager or service director (they may
  give the declaration of competence, §1.6, Form 5) and an experienced SEND mediator of
  any role (the Form 4 signer, Appendix A).

A co-mediator who is not an experienced SEND mediator may not decide. The rule is checked
where a decision is taken and again wherever it arrives (the role travels in the signed
decision), so a store never applies a decision its own rule would refuse.
"""

from __future__ import annotations

from sendobserve.model.domain import ObserverRole

CONFLICT_DECIDER_ROLES = frozenset({ObserverRole.PPC, ObserverRole.MENTOR,
                                    ObserverRole.REGIONAL_MANAGER,
                                    ObserverRole.SERVICE_DIRECTOR})


def decider_refusal(role: ObserverRole, experienced_send: bool) -> str | None:
    """Why someone in ``role`` may not decide a conflict, or None when they may."""
    if role in CONFLICT_DECIDER_ROLES or experienced_send:
        return None
    return ("a conflict is decided by a PPC, a mentor, a regional manager or service "
            "director, or an experienced SEND mediator; a "
            f"{role.value.replace('_', ' ')} who is not an experienced SEND mediator may not")

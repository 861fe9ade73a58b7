"""The sharing basis each agency relies on when it publishes.

The bases, and the condition special category data needs, are those of the
sharing policy (``hub_contracts/sharing-policy.yaml``; docs/adr/0005).
"""

from __future__ import annotations

from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis, SpecialCategoryCondition


def agency_basis(service: str, purpose: Purpose) -> SharingBasis:
    """Police share under DPA 2018 Part 3; public bodies under public task (Art 6(1)(e)),
    naming the Sch 1 para 18 safeguarding condition, since what they share about a
    child may hold special category data (health, above all).
    """
    if service == "police-feed":
        return SharingBasis(lawful_basis=LawfulBasis.LAW_ENFORCEMENT, purpose=purpose)
    return SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        purpose=purpose,
        special_category_condition=SpecialCategoryCondition.SAFEGUARDING_CHILDREN,
    )

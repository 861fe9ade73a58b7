"""The sharing basis each agency relies on when it publishes (DOMAIN.md, "Sharing lawfully")."""

from __future__ import annotations

from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis, SpecialCategoryCondition

_SPECIAL_CATEGORY = {"health-feed", "social-care"}
"""Agencies whose records are health (or otherwise special category) data."""


def agency_basis(service: str, purpose: Purpose) -> SharingBasis:
    """Police share under DPA 2018 Part 3; public bodies under public task (Art 6(1)(e)),
    with the Sch 1 para 18 safeguarding condition for special category data.
    """
    if service == "police-feed":
        return SharingBasis(lawful_basis=LawfulBasis.LAW_ENFORCEMENT, purpose=purpose)
    return SharingBasis(
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        purpose=purpose,
        special_category_condition=(
            SpecialCategoryCondition.SAFEGUARDING_CHILDREN if service in _SPECIAL_CATEGORY else None
        ),
    )

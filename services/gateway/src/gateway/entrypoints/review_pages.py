"""Pages for enquiry status, potential-duplicate review, the person page and sharing
decisions. Same handlers as the JSON API (checks, field filtering, audit); forms post
back with the session's CSRF token; each action is authorised before its form is read,
so a refused role sees "You cannot see this", never a validation message.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from hub_contracts.events.records import NotSharedReason
from hub_contracts.sharing import SpecialCategoryCondition
from hub_service.problems import ProblemError
from pydantic import ValidationError

from gateway.adapters.sessions import Session
from gateway.domain.access import Action, allowed_actions
from gateway.domain.paging import Paging, page_number
from gateway.entrypoints.pages import (
    _field_errors,
    _sign_in_redirect,
    _summary,
    problem_page,
    render,
)
from gateway.entrypoints.security import GatewayDep, OptionalSession, form_fields, tokens_match
from gateway.service_layer import contacts, identity, sharing
from gateway.service_layer.contacts import DEFAULT_PURPOSE, authorise
from gateway.service_layer.identity import IdentityReason
from gateway.service_layer.sharing import (
    OVERRIDE_BASES,
    RECIPIENTS,
    NotToShareRequest,
    ShareWithoutConsentRequest,
)

TENANT = "{tenant}"
DUPLICATES_PER_PAGE = 10
"""Pairs on one page of potential duplicates (each is a table and a form)."""
BASIS_TEXT = {
    "uk-gdpr-6-1-e": "Public task (UK GDPR Art 6(1)(e))",
    "uk-gdpr-6-1-c": "Legal obligation (UK GDPR Art 6(1)(c))",
    "uk-gdpr-6-1-d": "Vital interests (UK GDPR Art 6(1)(d))",
    "dpa-2018-part-3": "Law enforcement (DPA 2018 Part 3)",
}


def _path(value: str) -> str:
    return quote(value, safe="")


async def _csrf_form(request: Request, session: Session) -> dict[str, str]:
    form = await form_fields(request)
    if not tokens_match(session.csrf_token, form.get("csrf_token")):
        raise ProblemError(403, "csrf-token-invalid", "send the form from the page")
    return form


def review_pages_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def _actions(session: Session, tenant: str) -> set[str]:
        return {a.value for a in allowed_actions(session.principal, tenant)}

    # -- enquiry status (agency liaisons' way in) -------------------------------------
    @router.get(f"/{TENANT}/enquiries", response_class=HTMLResponse)
    async def enquiries(
        request: Request, gw: GatewayDep, session: OptionalSession, tenant: str
    ) -> Response:
        if session is None:
            return _sign_in_redirect(request)
        try:
            rows = await contacts.enquiry_board(gw, session.principal, tenant, DEFAULT_PURPOSE)
        except ProblemError as exc:
            return problem_page(request, session, exc)
        return render(
            request,
            "enquiries.html",
            session,
            tenant=tenant,
            rows=rows,
            actions=_actions(session, tenant),
        )

    # -- potential duplicates ---------------------------------------------------------
    async def _duplicates(
        request: Request,
        gw: GatewayDep,
        session: Session,
        tenant: str,
        status: int = 200,
        number: int = 1,
        **v: Any,
    ) -> HTMLResponse:
        try:
            found = await _duplicates_page(gw, session, tenant, number)
        except ProblemError as exc:
            return problem_page(request, session, exc)
        paging, candidates = found
        actions = _actions(session, tenant)
        return render(
            request,
            "duplicates.html",
            session,
            status,
            tenant=tenant,
            candidates=candidates,
            paging=paging,
            actions=actions,
            can_confirm=Action.CONFIRM_DUPLICATE.value in actions,
            **v,
        )

    @router.get(f"/{TENANT}/duplicates", response_class=HTMLResponse)
    async def duplicates(
        request: Request, gw: GatewayDep, session: OptionalSession, tenant: str
    ) -> Response:
        if session is None:
            return _sign_in_redirect(request)
        number = page_number(request.query_params.get("page"))
        return await _duplicates(request, gw, session, tenant, number=number)

    @router.post(f"/{TENANT}/duplicates/{{candidate_id}}", response_class=HTMLResponse)
    async def decide_duplicate(
        request: Request, gw: GatewayDep, session: OptionalSession, tenant: str, candidate_id: str
    ) -> Response:
        if session is None:
            return _sign_in_redirect(request)
        form = await _csrf_form(request, session)
        number = page_number(form.get("page"))
        decision: Literal["confirmation", "rejection"] = (
            "confirmation" if form.get("decision") == "confirmation" else "rejection"
        )
        action = Action.CONFIRM_DUPLICATE if decision == "confirmation" else Action.REJECT_DUPLICATE
        try:
            await authorise(gw, session.principal, tenant, action, purpose=DEFAULT_PURPOSE)
            command = IdentityReason(reason=form.get("reason", ""))
            await identity.decide_candidate(
                gw, session.principal, tenant, candidate_id, decision, command, DEFAULT_PURPOSE
            )
        except ValidationError:
            field = f"reason-{candidate_id}"
            errors = {field: "Enter why (required)"}
            return await _duplicates(
                request,
                gw,
                session,
                tenant,
                422,
                number,
                field_errors=errors,
                errors=_summary(errors, {field: "Reason"}),
            )
        except ProblemError as exc:
            return problem_page(request, session, exc)
        # back to the same page: the next pairs to review have moved up into it
        page = f"?page={number}" if number > 1 else ""
        return RedirectResponse(f"/{tenant}/duplicates{page}", status_code=303)

    # -- the person page ----------------------------------------------------------------
    async def _person(
        request: Request,
        gw: GatewayDep,
        session: Session,
        tenant: str,
        person_id: str,
        status: int = 200,
        **v: Any,
    ) -> HTMLResponse:
        try:
            found = await identity.person_page(
                gw, session.principal, tenant, person_id, DEFAULT_PURPOSE
            )
        except ProblemError as exc:
            return problem_page(request, session, exc)
        return render(
            request,
            "person.html",
            session,
            status,
            tenant=tenant,
            p=found,
            can_unlink=Action.UNLINK_PERSON.value in _actions(session, tenant),
            **v,
        )

    @router.get(f"/{TENANT}/persons/{{person_id}}", response_class=HTMLResponse)
    async def person(
        request: Request, gw: GatewayDep, session: OptionalSession, tenant: str, person_id: str
    ) -> Response:
        if session is None:
            return _sign_in_redirect(request)
        return await _person(request, gw, session, tenant, person_id)

    @router.post(f"/{TENANT}/persons/{{person_id}}/unlink", response_class=HTMLResponse)
    async def unlink(
        request: Request, gw: GatewayDep, session: OptionalSession, tenant: str, person_id: str
    ) -> Response:
        if session is None:
            return _sign_in_redirect(request)
        form = await _csrf_form(request, session)
        try:
            await authorise(
                gw, session.principal, tenant, Action.UNLINK_PERSON, purpose=DEFAULT_PURPOSE
            )
            command = IdentityReason(reason=form.get("reason", ""))
            result = await identity.unlink(
                gw, session.principal, tenant, person_id, command, DEFAULT_PURPOSE
            )
        except ValidationError:
            # the form sits on the survivor's page; show the error there
            field = f"reason-{person_id}"
            errors = {field: "Enter why (required)"}
            survivor = form.get("survivor_id") or person_id
            return await _person(
                request,
                gw,
                session,
                tenant,
                survivor,
                422,
                field_errors=errors,
                errors=_summary(errors, {field: "Reason"}),
            )
        except ProblemError as exc:
            return problem_page(request, session, exc)
        survivor_id = str(result.get("survivor_id") or person_id)
        return RedirectResponse(f"/{tenant}/persons/{_path(survivor_id)}", status_code=303)

    # -- sharing decisions ----------------------------------------------------------------
    def _sharing_form(
        request: Request,
        session: Session,
        tenant: str,
        contact_id: str,
        person_id: str,
        status: int = 200,
        **v: Any,
    ) -> HTMLResponse:
        return render(
            request,
            "sharing.html",
            session,
            status,
            tenant=tenant,
            contact_id=contact_id,
            person_id=person_id,
            recipients=[a.value for a in RECIPIENTS],
            bases=[(b.value, BASIS_TEXT.get(b.value, b.value)) for b in OVERRIDE_BASES],
            conditions=[c.value for c in SpecialCategoryCondition],
            not_shared_reasons=[r.value for r in NotSharedReason],
            **{"form": {}, **v},
        )

    @router.get(f"/{TENANT}/contacts/{{contact_id}}/sharing", response_class=HTMLResponse)
    async def sharing_form(
        request: Request, gw: GatewayDep, session: OptionalSession, tenant: str, contact_id: str
    ) -> Response:
        if session is None:
            return _sign_in_redirect(request)
        try:
            person_id = await _sharing_person(gw, session, tenant, contact_id)
        except ProblemError as exc:
            return problem_page(request, session, exc)
        return _sharing_form(request, session, tenant, contact_id, person_id)

    @router.post(f"/{TENANT}/contacts/{{contact_id}}/sharing", response_class=HTMLResponse)
    async def record_sharing(
        request: Request, gw: GatewayDep, session: OptionalSession, tenant: str, contact_id: str
    ) -> Response:
        if session is None:
            return _sign_in_redirect(request)
        form = await _csrf_form(request, session)
        share = form.get("decision") != "not-share"
        labels = {
            "recipient": "Agency shared with",
            "lawful_basis": "Lawful basis",
            "special_category_condition": "Special category condition",
            "reason": "Why without consent",
            "ns_recipient": "Agency not shared with",
            "ns_reason_code": "Reason code",
            "ns_reason": "Why not",
        }
        command: ShareWithoutConsentRequest | NotToShareRequest
        try:
            person_id = await _sharing_person(gw, session, tenant, contact_id)
        except ProblemError as exc:
            return problem_page(request, session, exc)
        try:
            if share:
                command = ShareWithoutConsentRequest(
                    recipient=form.get("recipient"),
                    lawful_basis=form.get("lawful_basis"),
                    special_category_condition=form.get("special_category_condition") or None,
                    reason=form.get("reason", ""),
                    contact_id=contact_id,
                )
            else:
                command = NotToShareRequest(
                    recipient=form.get("ns_recipient"),
                    reason_code=form.get("ns_reason_code"),
                    reason=form.get("ns_reason", ""),
                    contact_id=contact_id,
                )
            await sharing.record_decision(
                gw, session.principal, tenant, person_id, command, DEFAULT_PURPOSE
            )
        except ValidationError as exc:
            errors = _field_errors(exc)
            if not share:
                errors = {f"ns_{k}": m for k, m in errors.items()}
            return _sharing_form(
                request,
                session,
                tenant,
                contact_id,
                person_id,
                422,
                form=form,
                field_errors=errors,
                errors=_summary(errors, labels),
            )
        except ProblemError as exc:
            if exc.status != 422:
                return problem_page(request, session, exc)
            field = "lawful_basis" if "basis" in exc.reason else "reason" if share else "ns_reason"
            errors = {field: exc.detail}
            return _sharing_form(
                request,
                session,
                tenant,
                contact_id,
                person_id,
                422,
                form=form,
                field_errors=errors,
                errors=_summary(errors, labels),
            )
        return RedirectResponse(f"/{tenant}/contacts/{_path(contact_id)}#sharing", status_code=303)

    return router


async def _duplicates_page(
    gw: GatewayDep, session: Session, tenant: str, number: int
) -> tuple[Paging, list[dict[str, Any]]]:
    """Page ``number`` of the open potential duplicates, or the last page if there are fewer."""
    asked = Paging(number, DUPLICATES_PER_PAGE, 0)
    found = await identity.open_candidates_page(
        gw, session.principal, tenant, DEFAULT_PURPOSE, offset=asked.offset, limit=asked.per_page
    )
    paging = Paging.within(number, DUPLICATES_PER_PAGE, found.total)
    if paging.number != number:  # past the last page (the list shrank): show the last one
        found = await identity.open_candidates_page(
            gw,
            session.principal,
            tenant,
            DEFAULT_PURPOSE,
            offset=paging.offset,
            limit=paging.per_page,
        )
        paging = Paging.within(paging.number, DUPLICATES_PER_PAGE, found.total)
    return paging, found.items


async def _sharing_person(gw: GatewayDep, session: Session, tenant: str, contact_id: str) -> str:
    """The contact's person, once the user is known to be allowed to record sharing."""
    await authorise(
        gw,
        session.principal,
        tenant,
        Action.RECORD_SHARING_DECISION,
        purpose=DEFAULT_PURPOSE,
        contact_id=contact_id,
    )
    return await sharing.person_of_contact(
        gw, session.principal, tenant, contact_id, DEFAULT_PURPOSE
    )

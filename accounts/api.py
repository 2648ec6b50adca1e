"""Account administration API: the account's policy, its members and its audit trail."""

from typing import cast

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts import services
from accounts.access import Access
from accounts.audit import actor_from_request
from accounts.models import AuditEvent, Membership
from accounts.serializers import (
    AccountSerializer,
    AccountUpdateSerializer,
    AuditEventFilterSerializer,
    AuditEventSerializer,
    MemberCreateSerializer,
    MemberFilterSerializer,
    MembershipSerializer,
    MemberUpdateSerializer,
)
from core.api_errors import service_errors


class AccountView(GenericAPIView):
    required_scopes = {"GET": "account:read", "PATCH": "account:write"}
    serializer_class = AccountSerializer

    @extend_schema(summary="The account and its token policy")
    def get(self, request):
        return Response(AccountSerializer(request.auth.account).data)

    @extend_schema(
        request=AccountUpdateSerializer,
        responses=AccountSerializer,
        summary="Change the name or the token policy",
    )
    def patch(self, request):
        data = AccountUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        with service_errors():
            account = services.account_update(
                account=request.auth.account,
                actor=actor_from_request(request),
                **data.validated_data,
            )
        return Response(AccountSerializer(account).data)


def _members(access: Access):
    return Membership.objects.filter(account=access.account).select_related("user")


class MemberListView(GenericAPIView):
    required_scopes = {"GET": "members:read", "POST": "members:write"}
    serializer_class = MembershipSerializer

    def get_queryset(self):
        return _members(self.request.auth)

    @extend_schema(
        summary="Members of the account",
        operation_id="members_list",
        responses=MembershipSerializer(many=True),
        parameters=[MemberFilterSerializer],
    )
    def get(self, request):
        filters = MemberFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        members = self.get_queryset().order_by("user__email")
        if "role" in filters.validated_data:
            members = members.filter(role=filters.validated_data["role"])
        page = self.paginate_queryset(members)
        return self.get_paginated_response(MembershipSerializer(page, many=True).data)

    @extend_schema(
        request=MemberCreateSerializer,
        responses={201: MembershipSerializer},
        summary="Create a service account (people join by invitation)",
    )
    def post(self, request):
        data = MemberCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            membership = services.service_account_create(
                account=request.auth.account,
                name=data.validated_data["name"],
                role=data.validated_data["role"],
                actor=actor_from_request(request),
            )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class MemberDetailView(GenericAPIView):
    # DELETE is checked in delete(): any member may remove themself (leave).
    required_scopes = {"GET": "members:read", "PATCH": "members:write", "DELETE": None}
    serializer_class = MembershipSerializer

    def get_object(self) -> Membership:
        access = cast(Access, self.request.auth)  # DRF types `auth` as a Token
        return get_object_or_404(_members(access), pk=self.kwargs["pk"])

    @extend_schema(summary="One member")
    def get(self, request, pk: int):
        return Response(MembershipSerializer(self.get_object()).data)

    @extend_schema(
        request=MemberUpdateSerializer,
        responses=MembershipSerializer,
        summary="Change a member's role (their tokens follow on the next request)",
    )
    def patch(self, request, pk: int):
        membership = self.get_object()
        data = MemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            membership = services.member_change_role(
                membership=membership,
                role=data.validated_data["role"],
                actor=actor_from_request(request),
            )
        return Response(MembershipSerializer(membership).data)

    @extend_schema(
        responses={204: None},
        summary="Remove a member, or leave (your own membership); their tokens are revoked in "
        "the same transaction",
    )
    def delete(self, request, pk: int):
        membership = self.get_object()
        with service_errors():
            if membership.user_id != request.auth.user.pk:
                request.auth.require("members:write")
            services.member_remove(membership=membership, actor=actor_from_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AuditEventListView(GenericAPIView):
    required_scopes = {"GET": "audit:read"}
    serializer_class = AuditEventSerializer

    def get_queryset(self):
        return AuditEvent.objects.filter(account=self.request.auth.account)

    @extend_schema(
        summary="The account's audit trail, newest first",
        operation_id="audit_events_list",
        responses=AuditEventSerializer(many=True),
        parameters=[OpenApiParameter("action", OpenApiTypes.STR, description="e.g. token.created")],
    )
    def get(self, request):
        filters = AuditEventFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        events = self.get_queryset().order_by("-created_at", "-id")
        action = filters.validated_data.get("action")
        if action:
            events = events.filter(action=action)
        page = self.paginate_queryset(events)
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)

"""Invitations API: admins (members:write) invite, resend and cancel; members:read lists."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.audit import actor_from_request
from core.api_errors import service_errors
from people import services
from people.models import Invitation
from people.serializers import InvitationCreateSerializer, InvitationSerializer


def _invitations(request):
    return Invitation.objects.filter(account=request.auth.account).select_related("invited_by")


class InvitationListView(GenericAPIView):
    required_scopes = {"GET": "members:read", "POST": "members:write"}
    serializer_class = InvitationSerializer

    @extend_schema(
        summary="The account's invitations, newest first",
        operation_id="invitations_list",
        responses=InvitationSerializer(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(_invitations(request))
        return self.get_paginated_response(InvitationSerializer(page, many=True).data)

    @extend_schema(
        request=InvitationCreateSerializer,
        responses={201: InvitationSerializer},
        summary="Invite someone by email; they join when they accept the mailed link",
    )
    def post(self, request):
        data = InvitationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            invitation, _ = services.invitation_create(
                account=request.auth.account,
                actor=actor_from_request(request),
                **data.validated_data,
            )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvitationDetailView(GenericAPIView):
    required_scopes = {"GET": "members:read", "DELETE": "members:write"}
    serializer_class = InvitationSerializer

    def get_object(self) -> Invitation:
        return get_object_or_404(_invitations(self.request), pk=self.kwargs["pk"])

    @extend_schema(summary="One invitation")
    def get(self, request, pk: int):
        return Response(InvitationSerializer(self.get_object()).data)

    @extend_schema(responses={204: None}, summary="Cancel a pending invitation; its link stops")
    def delete(self, request, pk: int):
        with service_errors():
            services.invitation_cancel(
                invitation=self.get_object(), actor=actor_from_request(request)
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationResendView(GenericAPIView):
    required_scopes = {"POST": "members:write"}
    serializer_class = InvitationSerializer

    @extend_schema(
        request=None,
        responses=InvitationSerializer,
        summary="Mail a new link, valid 7 days; the previous link stops working",
    )
    def post(self, request, pk: int):
        invitation = get_object_or_404(_invitations(request), pk=pk)
        with service_errors():
            invitation, _ = services.invitation_resend(
                invitation=invitation, actor=actor_from_request(request)
            )
        return Response(InvitationSerializer(invitation).data)

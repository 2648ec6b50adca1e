"""The token API: validate → service → serialize."""

from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import Access
from accounts.audit import actor_from_request
from accounts.models import User
from core.api_errors import service_errors
from core.errors import ServiceError
from tokens import representations, services
from tokens.models import Token
from tokens.serializers import (
    LeakReceiptSerializer,
    MeSerializer,
    NewTokenSerializer,
    RevokeLeakedSerializer,
    TokenCreateSerializer,
    TokenFilterSerializer,
    TokenRotateSerializer,
    TokenSerializer,
    TokenUpdateSerializer,
)
from tokens.throttling import RevokeLeakedThrottle


def _secret_response(issued: services.IssuedToken) -> Response:
    data = NewTokenSerializer(issued.token, context={"secret": issued.secret}).data
    response = Response(data, status=status.HTTP_201_CREATED)
    add_never_cache_headers(response)  # Cache-Control: no-store: the secret must not be kept
    return response


class MeView(APIView):
    required_scopes = {"GET": None}

    @extend_schema(responses=MeSerializer, summary="Who this token acts as")
    def get(self, request):
        return Response(representations.me(request.auth))


class TokenListView(GenericAPIView):
    required_scopes = {"GET": "tokens:read", "POST": "tokens:write"}
    serializer_class = TokenSerializer

    def get_queryset(self):
        return Token.objects.visible_to(self.request.auth)

    @extend_schema(
        summary="List tokens (admins: all of the account; others: their own)",
        operation_id="tokens_list",
        responses=TokenSerializer(many=True),
        parameters=[
            TokenFilterSerializer,
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Up to 500"),
        ],
    )
    def get(self, request):
        filters = TokenFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        tokens = self.get_queryset()
        if "status" in filters.validated_data:
            tokens = tokens.with_status(filters.validated_data["status"])
        if "owner" in filters.validated_data:
            tokens = tokens.filter(owner_id=filters.validated_data["owner"])
        page = self.paginate_queryset(tokens.order_by("-created_at", "-id"))
        return self.get_paginated_response(representations.tokens(page))

    @extend_schema(
        request=TokenCreateSerializer,
        responses={201: NewTokenSerializer},
        summary="Create a token; the secret is in this response only",
    )
    def post(self, request):
        access: Access = request.auth
        data = TokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        owner = access.user
        if "owner_id" in fields and fields["owner_id"] != access.user.pk:
            # Unknown users and users of other accounts get the same answer.
            owner = User.objects.filter(
                pk=fields["owner_id"], memberships__account=access.account
            ).first()
            if owner is None:
                raise ValidationError({"owner_id": [services.OWNER_NOT_MEMBER]})
        kwargs = {k: fields[k] for k in ("scopes", "expires_at") if k in fields}
        with service_errors():
            issued = services.token_issue(
                account=access.account,
                owner=owner,
                description=fields["description"],
                actor=actor_from_request(request),
                access=access,
                **kwargs,
            )
        return _secret_response(issued)


class TokenDetailView(GenericAPIView):
    required_scopes = {"GET": "tokens:read", "PATCH": "tokens:write", "DELETE": "tokens:write"}
    serializer_class = TokenSerializer

    def get_object(self) -> Token:
        return get_object_or_404(Token.objects.visible_to(self.request.auth), pk=self.kwargs["pk"])

    @extend_schema(summary="One token")
    def get(self, request, pk: int):
        return Response(TokenSerializer(self.get_object()).data)

    @extend_schema(
        request=TokenUpdateSerializer,
        responses=TokenSerializer,
        summary="Change a token's description, or (admins) when it expires",
    )
    def patch(self, request, pk: int):
        token = self.get_object()
        data = TokenUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            services.token_update(
                token=token,
                actor=actor_from_request(request),
                access=request.auth,
                **data.validated_data,
            )
        return Response(TokenSerializer(token).data)

    @extend_schema(
        responses={204: None},
        operation_id="tokens_revoke",
        summary="Revoke a token (the record stays)",
    )
    def delete(self, request, pk: int):
        with service_errors():
            services.token_revoke(
                token=self.get_object(), actor=actor_from_request(request), access=request.auth
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenRotateView(GenericAPIView):
    required_scopes = {"POST": "tokens:write"}
    serializer_class = NewTokenSerializer

    def get_object(self) -> Token:
        return get_object_or_404(Token.objects.visible_to(self.request.auth), pk=self.kwargs["pk"])

    @extend_schema(
        request=TokenRotateSerializer,
        responses={201: NewTokenSerializer},
        summary="Replace a token with a new secret; the old one keeps working for the overlap",
    )
    def post(self, request, **kwargs):
        data = TokenRotateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            issued = services.token_rotate(
                token=self.get_object(),
                actor=actor_from_request(request),
                access=request.auth,
                **data.validated_data,
            )
        return _secret_response(issued)


class CurrentTokenRotateView(TokenRotateView):
    """The calling token rotates itself: an integration renews its own secret."""

    def get_object(self) -> Token:
        token = self.request.auth.token
        if token is None:
            raise ServiceError(
                "Only a token can rotate itself; this request used no token.",
                code="token_required",
            )
        return token

    @extend_schema(
        request=TokenRotateSerializer,
        responses={201: NewTokenSerializer},
        summary="Rotate the token making this request",
        operation_id="tokens_current_rotate",
    )
    def post(self, request, **kwargs):
        return super().post(request, **kwargs)


class RevokeLeakedView(APIView):
    """Public, like GitHub's credential revocation API: anyone who finds a token may report it.
    The answer is the same whatever the strings were, so it confirms nothing."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [RevokeLeakedThrottle]

    @extend_schema(
        request=RevokeLeakedSerializer,
        responses={202: LeakReceiptSerializer},
        auth=[],
        summary="Report leaked tokens; active ones are revoked",
    )
    def post(self, request):
        data = RevokeLeakedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        candidates = data.validated_data["tokens"]
        services.tokens_revoke_leaked(candidates, actor=actor_from_request(request))
        return Response({"received": len(candidates)}, status=status.HTTP_202_ACCEPTED)

"""The webhooks API (SPEC §10): validate → service → serialize."""

from typing import cast

from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.access import Access
from accounts.audit import actor_from_request
from core.api_errors import service_errors
from webhooks import services
from webhooks.models import Delivery, Endpoint
from webhooks.serializers import (
    DeliverySerializer,
    EndpointCreateSerializer,
    EndpointSerializer,
    EndpointUpdateSerializer,
    NewEndpointSerializer,
)


def _with_secret(endpoint: Endpoint, secret: str, code: int) -> Response:
    response = Response(NewEndpointSerializer(endpoint, context={"secret": secret}).data, code)
    add_never_cache_headers(response)  # the secret must not be kept by a cache
    return response


class EndpointListView(GenericAPIView):
    required_scopes = {"GET": "account:read", "POST": "account:write"}
    serializer_class = EndpointSerializer

    @extend_schema(
        summary="The account's webhook endpoints",
        operation_id="webhooks_list",
        responses=EndpointSerializer(many=True),
    )
    def get(self, request):
        endpoints = Endpoint.objects.filter(account=request.auth.account).order_by("id")
        page = self.paginate_queryset(endpoints)
        return self.get_paginated_response(EndpointSerializer(page, many=True).data)

    @extend_schema(
        request=EndpointCreateSerializer,
        responses={201: NewEndpointSerializer},
        summary="Register an endpoint; its signing secret is returned once",
    )
    def post(self, request):
        data = EndpointCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            endpoint, secret = services.endpoint_create(
                account=request.auth.account,
                actor=actor_from_request(request),
                **data.validated_data,
            )
        return _with_secret(endpoint, secret, status.HTTP_201_CREATED)


class EndpointMixin(GenericAPIView):
    def get_object(self) -> Endpoint:
        return get_object_or_404(
            Endpoint.objects.filter(account=cast(Access, self.request.auth).account),
            pk=self.kwargs["pk"],
        )


class EndpointDetailView(EndpointMixin, GenericAPIView):
    required_scopes = {"GET": "account:read", "PATCH": "account:write", "DELETE": "account:write"}
    serializer_class = EndpointSerializer

    @extend_schema(summary="One webhook endpoint")
    def get(self, request, pk: int):
        return Response(EndpointSerializer(self.get_object()).data)

    @extend_schema(
        request=EndpointUpdateSerializer,
        responses=EndpointSerializer,
        summary="Change an endpoint, or turn it on or off",
    )
    def patch(self, request, pk: int):
        endpoint = self.get_object()
        data = EndpointUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        with service_errors():
            endpoint = services.endpoint_update(
                endpoint=endpoint, actor=actor_from_request(request), **data.validated_data
            )
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(responses={204: None}, summary="Delete an endpoint and its delivery log")
    def delete(self, request, pk: int):
        services.endpoint_delete(endpoint=self.get_object(), actor=actor_from_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointTestView(EndpointMixin, GenericAPIView):
    required_scopes = {"POST": "account:write"}
    serializer_class = DeliverySerializer

    @extend_schema(
        request=None,
        responses={202: DeliverySerializer},
        summary="Send a webhook.test event to this endpoint",
    )
    def post(self, request, pk: int):
        delivery = services.send_test(endpoint=self.get_object())
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class EndpointRotateSecretView(EndpointMixin, GenericAPIView):
    required_scopes = {"POST": "account:write"}
    serializer_class = NewEndpointSerializer

    @extend_schema(
        request=None,
        responses=NewEndpointSerializer,
        summary="Give the endpoint a new signing secret, returned once",
    )
    def post(self, request, pk: int):
        endpoint = self.get_object()
        secret = services.endpoint_rotate_secret(
            endpoint=endpoint, actor=actor_from_request(request)
        )
        return _with_secret(endpoint, secret, status.HTTP_200_OK)


class DeliveryListView(EndpointMixin, GenericAPIView):
    required_scopes = {"GET": "account:read"}
    serializer_class = DeliverySerializer

    @extend_schema(
        summary="The endpoint's delivery log, newest first",
        operation_id="webhook_deliveries_list",
        responses=DeliverySerializer(many=True),
    )
    def get(self, request, pk: int):
        deliveries = Delivery.objects.filter(endpoint=self.get_object()).select_related("event")
        page = self.paginate_queryset(deliveries.order_by("-scheduled_at", "-id"))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

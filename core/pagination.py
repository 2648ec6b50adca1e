from rest_framework import pagination, serializers


class PageSerializer(serializers.Serializer):
    """The paging parameters, checked before they reach the paginator or the database."""

    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1)


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500  # larger requests get this many

    def paginate_queryset(self, queryset, request, view=None):
        PageSerializer(data=request.query_params).is_valid(raise_exception=True)
        return super().paginate_queryset(queryset, request, view)

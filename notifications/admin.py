from django.contrib import admin

from notifications.models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """What was (or is still to be) mailed about which token: read-only, for support."""

    list_display = ("created_at", "kind", "token", "recipient", "period", "sent_at")
    list_filter = ("kind", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("token__prefix", "recipient__email")
    list_select_related = ("token", "recipient")
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

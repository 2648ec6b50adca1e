from django.urls import path

from people.views import invitations, members, passwords

app_name = "people"
urlpatterns = [
    path("accounts/<slug:slug>/members/", members.members_page, name="members"),
    path("accounts/<slug:slug>/members/invite/", members.invite, name="invite"),
    path("accounts/<slug:slug>/members/leave/", members.leave, name="leave"),
    path("accounts/<slug:slug>/members/<int:pk>/role/", members.role_change, name="role"),
    path(
        "accounts/<slug:slug>/members/<int:pk>/remove/",
        members.member_remove_view,
        name="remove",
    ),
    path(
        "accounts/<slug:slug>/invitations/<int:pk>/resend/",
        members.invitation_resend_view,
        name="invitation-resend",
    ),
    path(
        "accounts/<slug:slug>/invitations/<int:pk>/cancel/",
        members.invitation_cancel_view,
        name="invitation-cancel",
    ),
    path("invitations/<str:secret>/", invitations.invitation_page, name="invitation"),
    path("password/reset/", passwords.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password/reset/sent/",
        passwords.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        passwords.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password/reset/done/",
        passwords.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("password/change/", passwords.PasswordChangeView.as_view(), name="password-change"),
]

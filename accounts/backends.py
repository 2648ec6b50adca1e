from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Email and password sign-in. Service accounts never sign in, whatever their password."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not user.is_service_account

from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = "Sign-in security"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from security.sudo import mark_authenticated

        # Every sign-in checked a password (and a code): sudo mode counts from it.
        user_logged_in.connect(
            lambda request, **kwargs: mark_authenticated(request) if request else None,
            weak=False,
            dispatch_uid="security.mark_authenticated",
        )

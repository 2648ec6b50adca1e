from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"

    def ready(self) -> None:
        from accounts import events
        from webhooks import receivers

        events.committed.connect(receivers.event_committed, dispatch_uid="webhooks.fan_out")

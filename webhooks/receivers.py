from webhooks import tasks


def event_committed(sender, uid: str, **kwargs) -> None:
    """A change was committed with an event: deliver it to the endpoints that want it."""
    tasks.fan_out.enqueue(uid)

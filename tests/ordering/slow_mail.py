import time

from django.core.mail.backends.locmem import EmailBackend


class Backend(EmailBackend):
    """A slow mail server (into mail.outbox): two senders overlap for sure."""

    def send_messages(self, messages):
        time.sleep(0.05)
        return super().send_messages(messages)

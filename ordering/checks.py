"""System checks of the ordering app's configuration (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def customer_links_have_a_site(app_configs, **kwargs):
    """Links in customer e-mails are built from SITE_URL: empty, or a local
    address, every link would be broken."""
    site = settings.SITE_URL or ""
    if not site.startswith("https://") or "127.0.0.1" in site or "localhost" in site:
        return [
            Error(
                "SITE_URL must be the public site's https:// address (links in customer e-mails).",
                hint="Set SITE_URL=https://www.example.fr, or ALLOWED_HOSTS, in the environment.",
                id="ordering.E001",
            )
        ]
    return []

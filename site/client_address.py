"""The client's address, for login lockouts (django-axes) and rate limits (django-ratelimit).

Behind the project's nginx, the socket's address is nginx's: nginx sets
X-Real-IP to the address it was connected from (replacing anything the client
sent). The header is only believed where the settings say a proxy sets it
(CLIENT_ADDRESS_HEADER, production); elsewhere a client could forge it.
"""

import ipaddress

from django.conf import settings


def client_address(request):
    header = getattr(settings, "CLIENT_ADDRESS_HEADER", None)
    for candidate in (request.META.get(header, "") if header else "", request.META.get("REMOTE_ADDR", "")):
        try:
            return str(ipaddress.ip_address(candidate.strip()))
        except ValueError:
            continue
    return "0.0.0.0"  # no usable address (a unix socket): one shared bucket rather than none

import csrf_tokens
from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import AdminLoginView

urlpatterns = [
    path("admin/login/", AdminLoginView.as_view(), name="wagtailadmin_login"),  # before Wagtail's own
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("csrf-token/", csrf_tokens.token, name="csrf_token"),
    path("commande/", include("ordering.urls")),
    path("recus/", include("books.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.BENCH_HELLO_WORLD:  # bench/web.py's baseline (off unless BENCH_HELLO_WORLD=true)
    from django.http import HttpResponse

    urlpatterns += [path("_bench/hello/", lambda request: HttpResponse("Hello, world"))]

# Wagtail serves every other URL from the page tree; keep it last.
urlpatterns += [path("", include(wagtail_urls))]

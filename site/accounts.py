"""Login views of the site and the admin, with ?next= restricted to paths.

Django takes a ?next= value without a slash or a dot ("zz") for a URL name, and
an unknown name is a NoReverseMatch (a 500) once the person is signed in: a
destination on this site is a path, anything else is ignored.
"""

from wagtail.admin.views.account import LoginView as WagtailLoginView


class NextPathOnlyMixin:
    def get_redirect_url(self):
        url = super().get_redirect_url()
        return url if url.startswith("/") else ""


class AdminLoginView(NextPathOnlyMixin, WagtailLoginView):
    pass

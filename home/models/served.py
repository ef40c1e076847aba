"""What the site's page models share for being served fast (home.routes)."""


class ServedPage:
    """A page model mixin: its routes may be remembered (home.routes), with its view
    restrictions read once per content version instead of once per request."""

    def get_view_restrictions(self):
        remembered = self.__dict__.get("_remembered_view_restrictions")
        return remembered if remembered is not None else super().get_view_restrictions()

    def prefetch_for_serving(self):
        """Reads, once per remembered route, what serving the page reads every time."""

    def once_per_content(self, name, compute):
        """compute(), kept with this page object: for what depends on the site's content
        only. A page from a remembered route lives as long as the content version;
        any other, as long as its request (or whatever holds it: call this only
        while serving the page)."""
        memo = self.__dict__.setdefault("_once_per_content", {})
        if name not in memo:
            memo[name] = compute()
        return memo[name]

"""The staff side of ordering, inside the Wagtail admin (registered by ordering.wagtail_hooks):

- permissions: the roles (permissions) and restaurant scoping every staff screen asks;
- views, forms, urls: the kitchen board, deliveries, stock, counter orders, recipe sheet;
- orders_admin: the orders list and detail (wagtail-modeladmin);
- viewsets: the recipes and staff-member snippets;
- dashboard, menu: the managers' dashboard panel and the staff's menu entries.
"""

"""The demo `manage.py load_demo` loads, in order: content.py (catalogue, pages,
accounts; pictures drawn by images.py), then kitchen.py (stock and recipes, staff).
Idempotent: what exists is left as it is, what is missing is created."""

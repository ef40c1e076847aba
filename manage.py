#!/usr/bin/env python
import os
import sys
from pathlib import Path

# The Django project lives in site/. It cannot be a package named "site" (the
# standard library owns that name), so site/ is a source root instead.
sys.path.insert(0, str(Path(__file__).resolve().parent / "site"))

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)

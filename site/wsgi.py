import os
import sys
from pathlib import Path

# site/ is a source root beside the apps (see manage.py).
SITE_DIR = Path(__file__).resolve().parent
for path in (SITE_DIR, SITE_DIR.parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from django.core.wsgi import get_wsgi_application  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.production")

application = get_wsgi_application()

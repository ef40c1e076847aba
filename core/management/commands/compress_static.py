"""Gzips the collected static files once (nginx's gzip_static sends the .gz beside
each file as it is, instead of compressing it on every request). Brotli too when
the `brotli` package is installed (for an nginx with the brotli_static module;
the official nginx image has none)."""

import gzip
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".txt", ".html", ".map", ".xml", ".ico", ".ttf", ".otf", ".eot"}
SMALLEST = 512  # bytes: below this (nginx's gzip_min_length), not worth it


class Command(BaseCommand):
    help = "Writes file.gz (and file.br with the brotli package) beside each compressible collected static file."

    def add_arguments(self, parser):
        parser.add_argument("--root", default=None, help="the folder to compress (default: STATIC_ROOT)")

    def handle(self, *args, root=None, **options):
        try:
            import brotli
        except ImportError:
            brotli = None
        root = Path(root or settings.STATIC_ROOT)
        written = 0
        for path in root.rglob("*"):
            if not path.is_file() or path.suffix.lower() not in COMPRESSIBLE or path.stat().st_size < SMALLEST:
                continue
            data = path.read_bytes()
            outputs = [(path.with_name(path.name + ".gz"), gzip.compress(data, 9, mtime=0))]
            if brotli is not None:
                outputs.append((path.with_name(path.name + ".br"), brotli.compress(data)))
            for target, compressed in outputs:
                if len(compressed) >= len(data):
                    continue
                target.write_bytes(compressed)
                stat = path.stat()  # nginx's gzip_static checks the .gz is not older than the file
                os.utime(target, (stat.st_atime, stat.st_mtime))
                written += 1
        self.stdout.write(f"{written} compressed files written in {root}")

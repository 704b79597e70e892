"""Production settings (run with DEBUG=0) for the collectstatic test, without compression.

WhiteNoise's brotli pass over viewflow's and the API docs' bundles takes minutes and is not what the test
checks: the manifest and the hashed names are.
"""

from django.utils.module_loading import import_string

from project.settings import *  # noqa: F403
from project.settings import STORAGES

_Production = import_string(STORAGES["staticfiles"]["BACKEND"])


class UncompressedStaticFilesStorage(_Production):
    def compress_files(self, paths):
        return iter(())


STORAGES = {**STORAGES, "staticfiles": {"BACKEND": f"{__name__}.UncompressedStaticFilesStorage"}}

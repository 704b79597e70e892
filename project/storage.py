"""Static files storage for production (DEBUG off)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed, compressed storage, tolerating CSS that names files its package does not ship.

    viewflow's CSS refers to font files (for example roboto-fontface's Roboto-Thin.woff2 under node_modules/)
    that are not in its wheel, and the stock storage then fails collectstatic and writes no manifest. Such a
    reference keeps its original URL: the browser gets a 404 for that font and falls back, as it does in DEBUG.
    """

    def hashed_name(self, name, content=None, filename=None):
        if content is None:
            path = filename or name
            if not self.exists(path.split("?", 1)[0].split("#", 1)[0]):
                return name
        return super().hashed_name(name, content, filename)

"""Catalog limits that project/settings.py needs too, so this module imports nothing."""

# Most resources have about 10 information items (the import benchmark, B4) and base-library ones a few
# hundred; a resource with more should be split. The resource form posts every item at once,
# which is why settings.DATA_UPLOAD_MAX_NUMBER_FIELDS is derived from this.
MAX_ITEMS_PER_RESOURCE = 2000

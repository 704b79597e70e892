"""Catalog limits that project/settings.py needs too, so this module imports nothing."""

# Most resources have about 10 information items (the import benchmark, B4) and base-library ones a few
# hundred; a resource with more should be split. The resource form posts every item at once,
# which is why settings.DATA_UPLOAD_MAX_NUMBER_FIELDS is derived from this.
MAX_ITEMS_PER_RESOURCE = 2000

# Spreadsheet imports (issue 15): an upload is untrusted, so these bound it before it is read
# (catalog.xlsx_reader.Limits). The import benchmark (B4) is 10,000 resources × 10 items, 110,000
# rows and 42 MB of sheet XML, inflating 14–17 times; these leave room for about twice that.
IMPORT_MAX_ROWS = 200_000  # both sheets together, and the largest row number
IMPORT_MAX_COLUMNS = 50  # the template has 19
IMPORT_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # the sum of the zip members' declared sizes
IMPORT_MAX_COMPRESSION_RATIO = 100  # Apache POI's default for a zip bomb
# Run in the web request up to this declared size (inflated bytes, or rows by the sheets' dimensions):
# about 10,000 rows, a second or two of checking. Larger ones go to a worker.
IMPORT_INLINE_MAX_BYTES = 4 * 1024 * 1024
IMPORT_INLINE_MAX_ROWS = 10_000
# A running import job renews its heartbeat every few thousand rows; one silent for this long
# has lost its process (a worker killed, a web worker past its timeout) and is marked failed.
IMPORT_HEARTBEAT_TIMEOUT_SECONDS = 10 * 60

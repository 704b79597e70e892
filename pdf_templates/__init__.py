import warnings

from cryptography.utils import CryptographyDeprecationWarning

# pyHanko imports cryptography's DSA key class, to sign with DSA keys (records are signed with RSA), and
# cryptography warns on that import that DSA is deprecated: before every command that loads this app. Only
# that warning, raised by that import, is silenced; this package's modules are the only ones importing pyHanko.
warnings.filterwarnings(
    "ignore",
    message="DSA is deprecated",
    category=CryptographyDeprecationWarning,
    module=r"pyhanko\.sign\.signers\.pdf_cms$",
)

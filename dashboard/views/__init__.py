"""Role pages. The dashboard app only reads, through other apps' selectors and services."""

from .alignment import alignment, alignment_csv  # noqa: F401
from .board import board, timeline  # noqa: F401
from .company import company  # noqa: F401
from .home import home  # noqa: F401
from .io import export_download, export_page, import_errors, import_page, import_template  # noqa: F401
from .manager import manager, manager_section  # noqa: F401
from .units import units_overview  # noqa: F401

"""Permission scopes: the single place that answers "may this person see or act on that one".

UI and API both filter every list through these functions and resolve every object through a
`get_*_for(viewer, pk)` helper that answers 404 for what the viewer may not see.

People scopes live here; scopes of other apps' objects live in sibling modules of this package
(`org.permissions.goals`, `org.permissions.tracking`, ...) and are re-exported below so callers
import from `org.permissions` only.
"""

from .audit import *  # noqa: F401,F403
from .goals import *  # noqa: F401,F403
from .incentives import *  # noqa: F401,F403
from .notifications import *  # noqa: F401,F403
from .people import (  # noqa: F401
    Role,
    can_see_sensitive,
    get_person_for,
    hrbp_covers_unit,
    hrbp_paths,
    hrbp_people,
    hrbp_unit_ids,
    is_admin,
    is_hrbp,
    is_manager,
    managed_people,
    manager_chain_ids,
    manages,
    partners,
    person_of,
    roles,
    sensitive_people_q,
    visible_people,
)
from .resources import *  # noqa: F401,F403
from .retros import *  # noqa: F401,F403
from .tracking import *  # noqa: F401,F403

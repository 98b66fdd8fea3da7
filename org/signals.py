"""What the organisation tells the apps above it (which it cannot import): a unit's subtree
moved, a person changed units. Apps that keep a copy of unit paths (goals' `owner_path`)
connect to these in their AppConfig.ready and update it in the same transaction."""

from django.dispatch import Signal

# sender=Unit; old_path, new_path: every path starting with old_path now starts with new_path.
subtree_moved = Signal()
# sender=Person; person, old_unit_id, new_unit_id.
person_moved = Signal()

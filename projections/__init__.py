"""The read side. Importing any of it registers every view's event handlers, including
those that live outside the projector (accounts), so a follower never meets an event
type it has no handler for."""

from projections import accounts as _accounts  # noqa: F401

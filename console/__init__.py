"""The officer and admin web console, served at /console by the same server.

Server-rendered pages (Jinja2, autoescaped) with a little JavaScript for live updates. One
router per area in `console.routes` (sign-in, queue, conversations, handoff actions, files,
applications, canned replies, audit, live updates, rules editor, reports); the openings they
share (the signed-in officer, admins only, CSRF, the row or 404, the page renderer) are
dependencies in `console.deps`. Everything the routes use comes from `mount_console`, which the
server calls once with the office's services (`office.Office`) and `ConsoleSettings`.

Sign-in sessions live in the database (cookie = signed random token; HttpOnly, SameSite=Lax,
Secure over https); every POST needs the session's CSRF token (form field `csrf_token` or header
`X-CSRF-Token`).
"""

from console.mount import mount_console
from console.settings import ConsoleSettings

__all__ = ["ConsoleSettings", "mount_console"]

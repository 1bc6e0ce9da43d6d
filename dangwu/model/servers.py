"""The kinds of git server dangwu's hooks run under, and how each names the pusher."""

from __future__ import annotations

# how each kind of server tells its hooks who pushes; "disk" is a bare repository on a
# shared disk, where the pusher's own shell runs the hook and nothing can be believed
SERVERS: dict[str, str | None] = {
    "gitolite": "GL_USER",
    "http": "REMOTE_USER",
    "gitea": "GITEA_PUSHER_NAME",
    "gitlab": "GL_USERNAME",
    "disk": None,
}

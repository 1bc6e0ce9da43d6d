"""A real git server over smart HTTP, for tests: ``git http-backend`` run as a CGI
program behind a small web server on 127.0.0.1 that asks for a password (basic
auth) and tells git who pushes (REMOTE_USER), as nginx or Apache in front of
http-backend do. Started by the test, stopped by it."""

from __future__ import annotations

import base64
import contextlib
import os
import subprocess
import threading
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                handler.rfile.readline()
                break
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
        return b"".join(chunks)
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


def _handler(root: Path, users: Mapping[str, str], home: Path) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the test reads git's words, not the server's log

        def do_GET(self) -> None:
            self._cgi()

        def do_POST(self) -> None:
            self._cgi()

        def _user(self) -> str | None:
            header = self.headers.get("Authorization", "")
            if not header.startswith("Basic "):
                return None
            try:
                name, _sep, password = base64.b64decode(header[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return None
            return name if users.get(name) == password else None

        def _cgi(self) -> None:
            user = self._user()
            body = _read_body(self)
            if user is None:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="office"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            path, _sep, query = self.path.partition("?")
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": str(home),
                "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
                "GIT_PROJECT_ROOT": str(root),
                "GIT_HTTP_EXPORT_ALL": "1",
                "GATEWAY_INTERFACE": "CGI/1.1",
                "PATH_INFO": path,
                "QUERY_STRING": query,
                "REQUEST_METHOD": self.command,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(body)),
                "REMOTE_USER": user,
                "REMOTE_ADDR": "127.0.0.1",
            }
            for name, value in self.headers.items():
                key = "HTTP_" + name.upper().replace("-", "_")
                if key not in ("HTTP_AUTHORIZATION", "HTTP_CONTENT_LENGTH"):
                    env[key] = value
            done = subprocess.run(
                ["git", "http-backend"], input=body, env=env, capture_output=True, check=False
            )
            head, _sep, payload = done.stdout.partition(b"\r\n\r\n")
            if not _sep:
                head, _sep, payload = done.stdout.partition(b"\n\n")
            status = 200
            headers = []
            for line in head.decode("latin-1").splitlines():
                name, _colon, value = line.partition(":")
                if name.lower() == "status":
                    status = int(value.split()[0])
                elif name:
                    headers.append((name, value.strip()))
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


@contextlib.contextmanager
def smart_http(root: Path, users: Mapping[str, str]) -> Iterator[str]:
    """Serve the bare repositories under ``root`` on 127.0.0.1; yields the base URL
    (``http://127.0.0.1:PORT``). Every request needs one of ``users``' passwords."""
    home = root.parent / f"{root.name}-server-home"
    home.mkdir(parents=True, exist_ok=True)
    (home / ".gitconfig").write_text("[http]\n\treceivepack = true\n", "utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(root, users, home))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

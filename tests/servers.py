"""Real git servers on 127.0.0.1 for tests: gitolite behind a private sshd, and
``git http-backend`` behind nginx and fcgiwrap with basic auth, as an office's
server would run them (Debian packages gitolite3, openssh-server, nginx-light,
fcgiwrap, apache2-utils).

Everything lives in pytest's tmp folders (the sockets of the kept ssh connections
in a short folder of the system's temporary one, removed with the server) and
listens on a free port of 127.0.0.1; nothing of the system's (services, /etc, the
real home, port 22 or 80) is used. The
servers run as the user the tests run as, root or not. Each server is started by a
fixture and stopped, and waited for, by it: its process group, which holds exactly
what it started. A missing program skips the tests that need it, naming the package.

    # the fixtures are imported by conftest.py

    def test_x(gitolite: Gitolite) -> None:
        bare = gitolite.create_repo("office", writers=["alice", "bob"])
        alice = gitolite.user("alice")
        subprocess.run(["git", "clone", alice.url("office")], env={**os.environ, **alice.env})
"""

from __future__ import annotations

import contextlib
import grp
import hashlib
import itertools
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

SSHD = "/usr/sbin/sshd"
NGINX = "/usr/sbin/nginx"
FCGIWRAP = "/usr/sbin/fcgiwrap"
GITOLITE_SHELL = "/usr/share/gitolite3/gitolite-shell"
# sshd refuses to run as root without its privilege separation directory, which the
# ssh service makes at boot (Debian's compiled-in path).
PRIVSEP_DIR = Path("/run/sshd")
# what the fixtures' own git and the servers' environments drop from ours
_LEAKY = ("GIT_", "SSH_AUTH_SOCK", "SSH_AGENT_PID")
_STARTUP_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0


# -- the parts both servers share ------------------------------------------------------


def login_name() -> str:
    """The account the tests run as, from the password database: ``getpass.getuser()``
    believes $USER/$LOGNAME first, which ``su`` and containers leave stale or unset."""
    return pwd.getpwuid(os.geteuid()).pw_name


def need(program: str, package: str) -> str:
    """The path of ``program``, or skip the test, naming the Debian package."""
    path = program if os.path.isabs(program) else shutil.which(program)
    if path is None or not os.access(path, os.X_OK):
        pytest.skip(f"{program} not found: install the Debian package {package}")
    return path


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """Our environment without git's or ssh-agent's variables, with a home and a git
    configuration of its own: the developer's config is never read."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_LEAKY)}
    env.update(
        HOME=str(home),
        GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
        LC_ALL="C",
    )
    env.update(extra)
    return env


def run(
    argv: Sequence[str], *, env: Mapping[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a setup step; a failure names the command and shows what it said."""
    done = subprocess.run(
        list(argv),
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{shlex.join(argv)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return done


def keygen(path: Path, comment: str) -> Path:
    """A fresh ed25519 key pair ``path`` and ``path.pub`` without a passphrase."""
    path.parent.mkdir(parents=True, exist_ok=True)
    run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        env=isolated_env(path.parent),
    )
    return path


def free_port() -> int:
    """A port of 127.0.0.1 nobody listens on now (the server may still lose it to
    someone else before it binds: the start is retried then)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _group_members(pgid: int) -> list[int]:
    """The live (not zombie) processes of process group ``pgid``."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rpartition(")")[2].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(stat.parent.name))
    return members


@dataclass
class Daemon:
    """A server process started in a process group of its own, its output in ``log``.
    ``stop`` ends that group, which holds exactly what the server started (fcgiwrap's
    preforked children outlive their parent otherwise), and waits for it."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    @classmethod
    def start(cls, name: str, argv: Sequence[str], *, env: Mapping[str, str], log: Path) -> Daemon:
        with log.open("ab") as out:
            proc = subprocess.Popen(
                list(argv),
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return cls(name, proc, log)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until(self, ready: Callable[[], bool]) -> None:
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        while not ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}):\n{self.output()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not start in time:\n{self.output()}")
            time.sleep(0.005)

    def stop(self) -> None:
        pgid = self.proc.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        try:
            self.proc.wait(_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            self.proc.wait(_STOP_TIMEOUT)
        deadline = time.monotonic() + _STOP_TIMEOUT
        while _group_members(pgid):
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGKILL)
                deadline = time.monotonic() + _STOP_TIMEOUT
            time.sleep(0.005)


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def start_on_free_port(name: str, launch: Callable[[int], Daemon]) -> tuple[Daemon, int]:
    """Start a server on a free port, again on another if someone took that one first."""
    for _attempt in range(5):
        port = free_port()
        daemon = launch(port)
        try:
            daemon.wait_until(lambda: _listening(port))  # noqa: B023 (called at once)
        except RuntimeError:
            daemon.stop()
            if "Address already in use" in daemon.output():
                continue
            raise
        return daemon, port
    raise RuntimeError(f"{name}: no free port of 127.0.0.1 stayed free")


def _counter() -> Iterator[str]:
    return (f"repo{n}" for n in itertools.count(1))


# -- gitolite over a private sshd --------------------------------------------------------


@dataclass(frozen=True)
class SshUser:
    """Someone gitolite knows by their key. ``env`` is what makes git (run with our
    environment plus it) reach the server as them."""

    name: str
    key: Path
    env: dict[str, str]
    server: Gitolite = field(repr=False)

    def url(self, repo: str) -> str:
        return self.server.url(repo)


def ssh_command(key: Path, port: int, known_hosts: Path, shared: Path | None = None) -> str:
    """An ssh for git that uses this key and this known_hosts only: no ~/.ssh/config,
    no system ssh_config or known hosts, no agent, and it never asks.

    ``shared``: a folder where the connections are kept (ssh's ControlMaster, as
    many users set it up), one for each key and known_hosts: the first git command
    logs in (the key checked by sshd, the host key by ssh), the next ones open a
    session on it, for each of which sshd runs gitolite-shell as that key's user. A
    login costs 0.1 s of CPU and 0.2 s (ls-remote: 240 ms, on a kept connection
    45 ms), and the tests connect hundreds of times. Another key, or the same key
    with another known_hosts, is another connection, logged in afresh."""
    kept: list[str] = []
    if shared is not None:
        name = hashlib.sha1(f"{key}\0{known_hosts}\0{port}".encode()).hexdigest()[:16]
        kept = [
            "-o",
            "ControlMaster=auto",
            "-o",
            f"ControlPath={shared / name}",
            "-o",
            "ControlPersist=120",
        ]
    return shlex.join(
        [
            "ssh",
            *kept,
            "-F",
            "/dev/null",
            "-i",
            str(key),
            "-p",
            str(port),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "IdentityAgent=none",
            "-o",
            f"UserKnownHostsFile={known_hosts}",
            "-o",
            "GlobalKnownHostsFile=/dev/null",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "BatchMode=yes",
        ]
    )


@dataclass
class Gitolite:
    """gitolite (the ``admin`` key) behind its own sshd. Its hosting user's home is
    ``home``; its repositories are in ``home/repositories``; users and repositories
    are added as an admin does, by pushing the gitolite-admin repository."""

    folder: Path
    port: int
    login: str
    home: Path
    known_hosts: Path
    host_key_line: str
    log: Path  # sshd's
    shared: Path  # the kept connections' sockets (ssh_command)
    admin: SshUser | None = None
    users: dict[str, SshUser] = field(default_factory=dict)
    _names: Iterator[str] = field(default_factory=_counter)

    @property
    def keys(self) -> Path:
        return self.folder / "keys"

    @property
    def admin_clone(self) -> Path:
        return self.folder / "gitolite-admin"

    def url(self, repo: str) -> str:
        return f"ssh://{self.login}@127.0.0.1:{self.port}/{repo}"

    def repo_path(self, repo: str) -> Path:
        """The bare repository on disk, where a test installs a server hook."""
        return self.home / "repositories" / f"{repo}.git"

    def env_for(self, key: Path, known_hosts: Path | None = None) -> dict[str, str]:
        command = ssh_command(key, self.port, known_hosts or self.known_hosts, self.shared)
        return {"GIT_SSH_COMMAND": command}

    def user(self, name: str) -> SshUser:
        return self.users[name]

    def add_user(self, name: str) -> SshUser:
        """A new key for ``name``, given to gitolite (one push of gitolite-admin)."""
        user = self._new_key(name)
        self._publish(f"add user {name}")
        return user

    def create_repo(
        self,
        name: str | None = None,
        *,
        writers: Iterable[str | SshUser] = (),
        readers: Iterable[str | SshUser] = (),
        writers_perm: str = "RW",
    ) -> Path:
        """A repository (``repo1``... when unnamed) that ``writers`` may push to (RW:
        no force pushes or deletions) and ``readers`` may clone; users not known yet
        get a key. One push of gitolite-admin; returns the bare repository's path."""
        name = name or next(self._names)
        rules = []
        for perm, people in ((writers_perm, writers), ("R", readers)):
            names = [p.name if isinstance(p, SshUser) else p for p in people]
            for person in names:
                if person not in self.users:
                    self._new_key(person)
            if names:
                rules.append(f"    {perm:<4}= {' '.join(names)}\n")
        conf = self.admin_clone / "conf" / "gitolite.conf"
        with conf.open("a", encoding="utf-8") as out:
            out.write(f"\nrepo {name}\n{''.join(rules)}")
        self._publish(f"add repo {name}")
        path = self.repo_path(name)
        assert path.is_dir(), f"gitolite did not create {path}"
        return path

    def stranger_env(self, *, host_known: bool = True, key_known: bool = False) -> dict[str, str]:
        """git's environment for someone at the door: ``key_known=False`` offers a key
        gitolite does not know (ssh: "Permission denied (publickey)."),
        ``host_known=False`` a known_hosts without this server's key (ssh: "Host key
        verification failed.")."""
        key = self.keys / "stranger"
        if not key.exists():
            keygen(key, "stranger")
        if key_known:
            assert self.admin is not None
            key = self.admin.key
        known_hosts = self.known_hosts
        if not host_known:
            known_hosts = self.folder / "known_hosts.empty"
            known_hosts.write_text("", "utf-8")
        return self.env_for(key, known_hosts)

    def client_env(self) -> dict[str, str]:
        """The environment of the fixture's own git commands (as the admin)."""
        home = self.folder / "client"
        home.mkdir(exist_ok=True)
        assert self.admin is not None
        return isolated_env(
            home,
            **self.admin.env,
            GIT_AUTHOR_NAME="gitolite admin",
            GIT_AUTHOR_EMAIL="admin@example.org",
            GIT_COMMITTER_NAME="gitolite admin",
            GIT_COMMITTER_EMAIL="admin@example.org",
        )

    def _new_key(self, name: str) -> SshUser:
        assert name not in self.users, f"{name} is already a user"
        key = keygen(self.keys / name, name)
        shutil.copyfile(key.with_suffix(".pub"), self.admin_clone / "keydir" / f"{name}.pub")
        user = SshUser(name, key, self.env_for(key), self)
        self.users[name] = user
        return user

    def admin_git(self, *args: str) -> subprocess.CompletedProcess[str]:
        """git as the admin, in the gitolite-admin clone; a failure shows sshd's log."""
        try:
            return run(["git", *args], env=self.client_env(), cwd=self.folder)
        except RuntimeError as error:
            log = self.log.read_text(errors="replace")
            raise RuntimeError(f"{error}\n--- sshd log:\n{log}") from error

    def _publish(self, message: str) -> None:
        clone = str(self.admin_clone)
        self.admin_git("-C", clone, "add", "-A")
        self.admin_git("-C", clone, "commit", "-q", "-m", message)
        pushed = self.admin_git("-C", clone, "push", "-q", "origin", "HEAD")
        if "FATAL" in pushed.stderr or "WARNING" in pushed.stderr:
            raise RuntimeError(f"gitolite-admin push: {message}:\n{pushed.stderr}")


def _sshd_prefix() -> list[str]:
    """What sshd's command line starts with: nothing, or as root without /run/sshd, a
    private mount namespace with a fresh /run to make it in (nothing is made outside
    the tmp folders, and the system's /run is untouched)."""
    if os.geteuid() != 0 or PRIVSEP_DIR.is_dir():
        return []
    why = (
        f"sshd run as root needs {PRIVSEP_DIR}, which the ssh service makes at boot: "
        f"make it (mkdir -m 0755 {PRIVSEP_DIR}; .ci/run does) or run the tests as a "
        "non-root user"
    )
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip(why)
    namespace = [unshare, "--mount", "--propagation", "private", "--"]
    probe = subprocess.run([*namespace, "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"{why} (no mount namespace here: {probe.stderr.decode().strip()})")
    script = f'mount -t tmpfs -o mode=0755 tmpfs /run && mkdir {PRIVSEP_DIR} && exec "$@"'
    return [*namespace, "/bin/sh", "-c", script, "sh"]


def _check_login(login: str) -> None:
    """Skip where sshd would refuse our account whatever the key."""
    account = pwd.getpwnam(login)
    if Path(account.pw_shell).name in ("nologin", "false"):
        pytest.skip(f"{login}'s shell is {account.pw_shell}: sshd cannot run gitolite for it")
    if os.geteuid() == 0:
        # Without PAM, sshd refuses an account whose password is locked ("!...").
        with contextlib.suppress(OSError):
            for line in Path("/etc/shadow").read_text().splitlines():
                name, _sep, rest = line.partition(":")
                if name == login and rest.startswith("!"):
                    pytest.skip(f"{login}'s password is locked in /etc/shadow: sshd refuses it")


def _sshd_config(folder: Path, port: int, home: Path, login: str) -> Path:
    def q(value: str | Path) -> str:
        return '"' + str(value) + '"'

    server_env = {
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        # the hooks find what the tests find (a hook that runs dangwu, for one)
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }
    lines = [
        "ListenAddress 127.0.0.1",
        f"Port {port}",
        f"HostKey {q(folder / 'keys' / 'host')}",
        f"PidFile {q(folder / 'sshd.pid')}",
        f"AuthorizedKeysFile {q(home / '.ssh' / 'authorized_keys')}",
        f"AllowUsers {login}",
        "StrictModes no",
        "UsePAM no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        "PermitUserEnvironment no",
        "PermitUserRC no",
        "PermitTTY no",
        "DisableForwarding yes",
        "PrintMotd no",
        "PrintLastLog no",
        "UseDNS no",
        "LogLevel INFO",
        # sshd sets HOME from /etc/passwd; gitolite's hosting home is ours instead
        # (OpenSSH >= 7.8 applies SetEnv to forced commands too). gitolite rewrites
        # authorized_keys on every compile, so a command="env HOME=..." would not last.
        "SetEnv " + " ".join(q(f"{k}={v}") for k, v in server_env.items()),
    ]
    config = folder / "sshd_config"
    config.write_text("\n".join(lines) + "\n", "utf-8")
    return config


@contextlib.contextmanager
def running_gitolite(folder: Path) -> Iterator[Gitolite]:
    """gitolite set up in ``folder`` behind an sshd of its own; stopped on exit."""
    need(SSHD, "openssh-server")
    need("ssh", "openssh-client")
    need("ssh-keygen", "openssh-client")
    gitolite = need("gitolite", "gitolite3")
    need(GITOLITE_SHELL, "gitolite3")
    login = login_name()
    _check_login(login)
    sshd_prefix = _sshd_prefix()

    home = folder / "home"
    home.mkdir(parents=True)
    (home / ".gitconfig").write_text("", "utf-8")
    host_key = keygen(folder / "keys" / "host", "host")
    admin_key = keygen(folder / "keys" / "admin", "admin")
    run(
        [gitolite, "setup", "-pk", str(admin_key.with_suffix(".pub"))],
        env=isolated_env(home, USER=login, LC_ALL="C"),
    )

    def launch(port: int) -> Daemon:
        config = _sshd_config(folder, port, home, login)
        return Daemon.start(
            "sshd",
            [*sshd_prefix, SSHD, "-D", "-e", "-f", str(config)],
            env=isolated_env(home),
            log=folder / "sshd.log",
        )

    daemon, port = start_on_free_port("sshd", launch)
    # a short path: a socket's may not be longer than 107 bytes, wherever pytest's are
    shared = Path(tempfile.mkdtemp(prefix="dangwu-ssh-"))
    try:
        key_type, key_text = host_key.with_suffix(".pub").read_text("utf-8").split()[:2]
        host_key_line = f"[127.0.0.1]:{port} {key_type} {key_text}"
        known_hosts = folder / "known_hosts"
        known_hosts.write_text(host_key_line + "\n", "utf-8")
        server = Gitolite(folder, port, login, home, known_hosts, host_key_line, daemon.log, shared)
        server.admin = SshUser("admin", admin_key, server.env_for(admin_key), server)
        server.admin_git("clone", "-q", server.url("gitolite-admin"), str(server.admin_clone))
        yield server
    finally:
        for kept in shared.iterdir():  # each kept connection told to end, and waited for
            subprocess.run(
                ["ssh", "-F", "/dev/null", "-o", f"ControlPath={kept}", "-O", "exit", "x"],
                capture_output=True, timeout=_STOP_TIMEOUT, check=False,
            )  # fmt: skip
        daemon.stop()
        shutil.rmtree(shared, ignore_errors=True)


# -- smart HTTP: nginx, fcgiwrap, git http-backend -----------------------------------------


@dataclass(frozen=True)
class HttpUser:
    """Someone with a password. ``url`` carries it; ``env`` is empty (nothing else is
    needed), there to match ``SshUser``."""

    name: str
    password: str
    server: SmartHttp = field(repr=False)
    env: dict[str, str] = field(default_factory=dict)

    def url(self, repo: str) -> str:
        return self.server.url(repo, self)


@dataclass
class SmartHttp:
    """``git http-backend`` serving every bare repository under ``root`` at
    ``http://127.0.0.1:PORT/git/NAME.git``, behind nginx's basic auth on everything;
    the backend is told the user (REMOTE_USER), so pushes are allowed."""

    folder: Path
    port: int
    root: Path
    htpasswd: Path
    server_env: dict[str, str]
    users: dict[str, HttpUser] = field(default_factory=dict)
    _names: Iterator[str] = field(default_factory=_counter)

    def url(self, repo: str, user: HttpUser | None = None) -> str:
        """The repository's URL, with ``user``'s name and password in it when given
        (without, git asks for them: set GIT_TERMINAL_PROMPT=0 or GIT_ASKPASS)."""
        creds = f"{quote(user.name, safe='')}:{quote(user.password, safe='')}@" if user else ""
        return f"http://{creds}127.0.0.1:{self.port}/git/{repo}.git"

    def repo_path(self, repo: str) -> Path:
        return self.root / f"{repo}.git"

    def user(self, name: str) -> HttpUser:
        return self.users[name]

    def add_user(self, name: str, password: str | None = None) -> HttpUser:
        """A new login (nginx reads the password file on every request)."""
        password = password or f"pw-{name}"
        run(["htpasswd", "-b", str(self.htpasswd), name, password], env=self.server_env)
        user = HttpUser(name, password, self)
        self.users[name] = user
        return user

    def create_repo(self, name: str | None = None) -> Path:
        """An empty bare repository (``repo1``... when unnamed), as ``git init --bare``
        makes it with no configuration (so HEAD is git's default branch)."""
        path = self.repo_path(name or next(self._names))
        run(["git", "init", "-q", "--bare", str(path)], env=self.server_env)
        return path


def _nginx_config(
    folder: Path, port: int, socket_path: Path, backend: str, env: Mapping[str, str]
) -> Path:
    def q(value: str | Path) -> str:
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'

    prefix = folder / "nginx"
    # As root nginx would hand its workers to "nobody", who cannot enter pytest's
    # 0700 tmp folders; as anyone else the directive is ignored with a warning.
    who = ""
    if os.geteuid() == 0:
        who = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
    params = {
        "SCRIPT_FILENAME": backend,
        "PATH_INFO": "$1",
        "QUERY_STRING": "$query_string",
        "REQUEST_METHOD": "$request_method",
        "CONTENT_TYPE": "$content_type",
        "CONTENT_LENGTH": "$content_length",
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_PROTOCOL": "$server_protocol",
        "REMOTE_ADDR": "$remote_addr",
        "REMOTE_USER": "$remote_user",
        # fcgiwrap gives the backend these parameters and nothing of its own environment
        **env,
    }
    temp = "\n".join(
        f"    {kind}_temp_path {q(prefix / 'temp' / kind)};"
        for kind in ("client_body", "fastcgi", "proxy", "scgi", "uwsgi")
    )
    param_lines = "\n".join(f"            fastcgi_param {k} {q(v)};" for k, v in params.items())
    text = f"""\
{who}
worker_processes 1;
pid {q(prefix / "nginx.pid")};
error_log {q(prefix / "error.log")} info;
events {{ worker_connections 64; }}
http {{
    access_log {q(prefix / "access.log")};
{temp}
    client_max_body_size 0;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        auth_basic "git";
        auth_basic_user_file {q(folder / "htpasswd")};
        location ~ ^/git(/.*)$ {{
            fastcgi_pass {q("unix:" + str(socket_path))};
{param_lines}
        }}
    }}
}}
"""
    config = prefix / "nginx.conf"
    config.write_text(text, "utf-8")
    return config


@contextlib.contextmanager
def running_smart_http(folder: Path) -> Iterator[SmartHttp]:
    """nginx + fcgiwrap + git http-backend in ``folder``; stopped on exit."""
    nginx = need(NGINX, "nginx-light")
    fcgiwrap = need(FCGIWRAP, "fcgiwrap")
    need("htpasswd", "apache2-utils")
    git = need("git", "git")
    exec_path = run([git, "--exec-path"], env=isolated_env(folder)).stdout.strip()
    backend = need(os.path.join(exec_path, "git-http-backend"), "git")

    socket_path = folder / "fcgiwrap.sock"
    if len(str(socket_path)) > 100:  # sun_path holds 108 bytes
        raise RuntimeError(f"{socket_path} is too long for a unix socket: shorten --basetemp")
    home = folder / "home"
    root = folder / "repos"
    prefix = folder / "nginx"
    for path in (home, root, *(prefix / "temp" / k for k in ("client_body", "fastcgi"))):
        path.mkdir(parents=True)
    for kind in ("proxy", "scgi", "uwsgi"):
        (prefix / "temp" / kind).mkdir()
    (home / ".gitconfig").write_text("", "utf-8")
    htpasswd = folder / "htpasswd"
    htpasswd.write_text("", "utf-8")
    server_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    backend_env = {**server_env, "GIT_PROJECT_ROOT": str(root), "GIT_HTTP_EXPORT_ALL": "1"}

    # Four workers: pushes and fetches that meet are served at the same time, as by
    # a real server (with one, fcgiwrap takes one request at a time).
    cgi = Daemon.start(
        "fcgiwrap",
        [fcgiwrap, "-c", "4", "-s", f"unix:{socket_path}", "-p", backend],
        env=server_env,
        log=folder / "fcgiwrap.log",
    )
    try:
        cgi.wait_until(socket_path.exists)

        def launch(port: int) -> Daemon:
            config = _nginx_config(folder, port, socket_path, backend, backend_env)
            argv = [nginx, "-p", str(prefix), "-c", str(config), "-e", str(prefix / "error.log")]
            return Daemon.start(
                "nginx",
                [*argv, "-g", "daemon off;"],
                env=server_env,
                log=prefix / "nginx.out",
            )

        web, port = start_on_free_port("nginx", launch)
        try:
            yield SmartHttp(folder, port, root, htpasswd, isolated_env(home))
        finally:
            web.stop()
    finally:
        cgi.stop()


# -- the fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gitolite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gitolite]:
    """One gitolite server per test module (its setup and every admin push take
    about a second: tests share it and each makes its own repositories)."""
    with running_gitolite(tmp_path_factory.mktemp("gitolite")) as server:
        yield server


@pytest.fixture
def smart_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmartHttp]:
    """A smart-HTTP server of the test's own (it starts in a few tens of ms)."""
    with running_smart_http(tmp_path_factory.mktemp("http")) as server:
        yield server

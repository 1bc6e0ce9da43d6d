"""The office on disk: its folder, its git directory, dangwu's state folder, and its
settings and catalogue read once (checked, and remembered as checked)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from dangwu import yamlio
from dangwu.check.settings import checked_catalogue, parse_settings
from dangwu.errors import InvalidFiles, NotAnOffice
from dangwu.i18n import _
from dangwu.model.catalogue import Catalogue, from_data
from dangwu.model.office import SETTINGS_FILE, Settings, settings_from_data
from dangwu.resources import shipped
from dangwu.store import cache
from dangwu.store.gitenv import dot_git


@dataclass
class Office:
    """An office repository on disk (or, ``bare``, the server's copy of one, which has
    only the history: no files to read)."""

    root: Path
    bare: bool = False
    # where dangwu keeps its working files, if not in the repository (a server's hook
    # whose account may not write there)
    state: Path | None = None

    @cached_property
    def git_dir(self) -> Path:
        if self.bare:
            return self.root
        return dot_git(self.root) or self.root / ".git"

    @property
    def state_dir(self) -> Path:
        """dangwu's own working files: cache, lock, journal. Never committed."""
        return self.state or self.git_dir / "dangwu"

    @cached_property
    def settings_text(self) -> str:
        path = self.root / SETTINGS_FILE
        try:
            raw = yamlio.read_bytes(path)
            return yamlio.decode(raw)
        except yamlio.YamlProblem as exc:
            raise InvalidFiles([exc.at(SETTINGS_FILE)]) from None

    @cached_property
    def markers(self) -> cache.Markers:
        """What this office knows it checked before (dangwu.yaml, the catalogue)."""
        return cache.Markers(self)

    @cached_property
    def settings(self) -> Settings:

        text = self.settings_text
        data = self.markers.checked(SETTINGS_FILE, text)
        if data is not None:
            return settings_from_data(data)
        settings = parse_settings(text, SETTINGS_FILE, self.root)
        self.markers.mark_valid(SETTINGS_FILE, text, yamlio.load(text).data)
        return settings

    @cached_property
    def catalogue(self) -> Catalogue:

        own = self.root / "schemas" / "catalogue.yaml"
        path = own if own.exists() or own.is_symlink() else _shipped_catalogue()
        relpath = "schemas/catalogue.yaml" if path == own else str(path)
        try:
            text = yamlio.decode(yamlio.read_bytes(path, plain_file=path == own))
            data = self.markers.checked(relpath, text)
        except yamlio.YamlProblem as exc:
            raise InvalidFiles([exc.at(relpath)]) from None
        if data is not None:
            return from_data(data, path)
        catalogue, data = checked_catalogue(text, relpath, path, self.root)
        self.markers.mark_valid(relpath, text, data)
        return catalogue

    @property
    def rebasing(self) -> bool:
        """git is in the middle of a rebase here."""
        return (self.git_dir / "rebase-merge").exists() or (self.git_dir / "rebase-apply").exists()

    def recover(self) -> list[str]:
        """Put right what a killed command left half-done, before anything reads the
        office: a commit whose files were written but whose branch was not moved (or the
        other way round), and a ``sync`` stopped in mid-rebase. Says what it did."""
        done: list[str] = []
        if self.bare:
            return done
        if (self.state_dir / "journal.json").exists():
            # git's door only when a write was cut short: opening an office starts no git
            from dangwu.store.gitstore import recover_pending

            outcome = recover_pending(self.root, self.state_dir)
            if outcome:
                done.append(outcome)  # finished, undone or abandoned
        marker = self.state_dir / "sync.json"
        if marker.exists():
            if self.rebasing:
                from dangwu.store.gitstore import GitStore  # as above

                with GitStore(self.root, self.state_dir) as git:
                    git.attempt("rebase", "--abort")
            marker.unlink(missing_ok=True)
            done.append("sync-undone")
        return done

    def relpath(self, path: Path) -> str:
        return path.resolve().relative_to(self.root.resolve()).as_posix()


def _shipped_catalogue() -> Path:

    return shipped("schemas", "catalogue.yaml")


def find_office(start: Path | None = None) -> Office:
    """The office repository: -C PATH or DANGWU_REPO, else the current folder or a parent."""
    explicit = start is not None
    if start is None and os.environ.get("DANGWU_REPO"):
        start = Path(os.environ["DANGWU_REPO"])
        explicit = True
    here = (start or Path.cwd()).absolute()
    if explicit and not here.is_dir():
        raise NotAnOffice(_("{path} is not a folder").format(path=here))
    candidates: Iterable[Path] = [here] if explicit else [here, *here.parents]
    for folder in candidates:
        if (folder / SETTINGS_FILE).is_file():
            if not (folder / ".git").exists():
                raise NotAnOffice(
                    _("{path} has a dangwu.yaml but is not a git repository").format(path=folder),
                    hint=_("run 'git init' there, or create a new office with 'dangwu init'"),
                )
            found = Office(folder)
            found.recover()  # every caller, not only the command line, sees a whole office
            return found
    if explicit:
        above = next((f for f in here.parents if (f / SETTINGS_FILE).is_file()), None)
        hint = (
            _("it is a folder inside the office {office}: name that, -C {office}").format(
                office=above
            )
            if above is not None
            else _("create one with: dangwu init {path} --unit NAME").format(path=here)
        )
        raise NotAnOffice(
            _("{path} is not an office repository (it has no dangwu.yaml)").format(path=here),
            hint=hint,
        )
    raise NotAnOffice(
        _("not inside an office repository (no dangwu.yaml here or in any parent folder)"),
        hint=_("create one with 'dangwu init --unit NAME', or point to one with -C PATH"),
    )

"""Report and opinion files checked against their schemas and read into values;
what cannot be read becomes a Problem at its file, line and column."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Protocol, TypeVar

from dangwu import yamlio
from dangwu.check import validate
from dangwu.errors import InvalidFiles, Problem
from dangwu.i18n import _
from dangwu.model.supervision import (
    FEEDBACK_DIR,
    REPORTS_DIR,
    REQUESTS_DIR,
    Feedback,
    Report,
    Request,
)


class Known(Protocol):
    """Files found valid before, by their path and whole text, with the data they hold
    (the office's markers): such a file is not checked against its schema again."""

    def checked(self, relpath: str, text: str) -> Any | None: ...

    def mark_valid(self, relpath: str, text: str, data: Any, *, save: bool = True) -> None: ...

    def save(self) -> None:
        """Write what was kept since the last save (nothing new: nothing written)."""


Parsed = TypeVar("Parsed")


def _kept(
    known: Known | None, relpath: str, text: str, doc: yamlio.Document, made: Parsed
) -> Parsed:
    """``made``, the value of a file found valid; the file is kept among the ``known``
    (saved by whoever read them all) unless it came from them."""
    if known is not None and doc.root is not None:
        known.mark_valid(relpath, text, doc.data, save=False)
    return made


def parse_report(
    text: str, relpath: str, office_root: Path | None = None, known: Known | None = None
) -> Report:
    """A report file's text as a Report, or InvalidFiles naming what is wrong where."""
    doc = _numbered(_checked(text, relpath, "report.schema.yaml", office_root, known), relpath)
    data = doc.data
    made = Report(
        number=int(data["number"]),
        path=relpath,
        received=date.fromisoformat(str(data["received"])),
        about=str(data["about"]),
        text=str(data["text"]),
        logged_by=str(data["logged"]["by"]),
        logged_at=str(data["logged"]["at"]),
        name=data.get("name"),
        contact=data.get("contact"),
        answer=data.get("answer"),
    )
    return _kept(known, relpath, text, doc, made)


def parse_request(
    text: str, relpath: str, office_root: Path | None = None, known: Known | None = None
) -> Request:
    """A request file's text as a Request, or InvalidFiles naming what is wrong where."""
    doc = _numbered(_checked(text, relpath, "request.schema.yaml", office_root, known), relpath)
    data = doc.data
    answer = data.get("answer")
    if isinstance(answer, dict):
        disclosed = answer.get("outcome") == "disclosed"
        if disclosed != ("record" in answer):
            line, col = doc.locate(["answer", "record" if "record" in answer else "outcome"])
            raise InvalidFiles(
                [
                    Problem(
                        relpath,
                        line,
                        col,
                        _("answer: a request is disclosed by naming the record that discloses it")
                        if disclosed
                        else _("answer.record: only a disclosed request names a record"),
                    )
                ]
            )
    made = Request(
        number=int(data["number"]),
        path=relpath,
        received=date.fromisoformat(str(data["received"])),
        name=str(data["name"]),
        contact=str(data["contact"]),
        text=str(data["text"]),
        logged_by=str(data["logged"]["by"]),
        logged_at=str(data["logged"]["at"]),
        about=data.get("about"),
        extension=data.get("extension"),
        answer=answer,
    )
    return _kept(known, relpath, text, doc, made)


def read_requests(
    files: Mapping[str, bytes], office_root: Path | None = None, known: Known | None = None
) -> tuple[list[Request], list[Problem]]:
    """The requests for disclosure from their files' bytes (by path), in the order they
    came in, and the problems of the files that could not be read. ``known``: the files
    found valid before, which this adds to."""
    found: list[Request] = []
    problems: list[Problem] = []
    for relpath in sorted(files):
        if not (relpath.startswith(REQUESTS_DIR + "/") and relpath.count("/") == 1):
            continue
        if not relpath.endswith(".yaml"):
            continue
        try:
            found.append(parse_request(yamlio.decode(files[relpath]), relpath, office_root, known))
        except yamlio.YamlProblem as exc:
            problems.append(exc.at(relpath))
        except InvalidFiles as exc:
            problems.extend(exc.problems)
    if known is not None:
        known.save()
    found.sort(key=lambda r: (r.received, r.number))
    return found, problems


def parse_feedback(
    text: str, relpath: str, office_root: Path | None = None, known: Known | None = None
) -> Feedback:
    doc = _checked(text, relpath, "feedback.schema.yaml", office_root, known)
    data = doc.data
    if data.get("private") and "public" not in data:
        line, col = doc.locate(["private"], key=True)
        raise InvalidFiles(
            [
                Problem(
                    relpath,
                    line,
                    col,
                    _("private: only a member of the public (public:) asks not to be named"),
                )
            ]
        )
    if "from" in data and "public" in data:
        line, col = doc.locate(["public"], key=True)
        raise InvalidFiles(
            [
                Problem(
                    relpath,
                    line,
                    col,
                    _("public: an opinion is from the roster (from:) or the public, not both"),
                    _("keep one of from: and public:"),
                )
            ]
        )
    folder = Path(relpath).parent.name
    if data["record"] != folder:
        line, col = doc.locate(["record"])
        raise InvalidFiles(
            [
                Problem(
                    relpath,
                    line,
                    col,
                    _("record: {id} does not match its folder feedback/{folder}/").format(
                        id=data["record"], folder=folder
                    ),
                )
            ]
        )
    made = Feedback(
        path=relpath,
        record=str(data["record"]),
        received=date.fromisoformat(str(data["received"])),
        text=str(data["text"]),
        logged_by=str(data["logged"]["by"]),
        logged_at=str(data["logged"]["at"]),
        from_key=data.get("from"),
        public=data.get("public"),
        private=bool(data.get("private")),
        meeting=data.get("meeting"),
        number=data.get("number"),
        disposition=data.get("disposition"),
    )
    return _kept(known, relpath, text, doc, made)


def _numbered(doc: yamlio.Document, relpath: str) -> yamlio.Document:
    """A numbered file (a report, a request) whose number is its file's name."""
    if str(doc.data["number"]) != Path(relpath).stem:
        line, col = doc.locate(["number"])
        said = _("number: {number} does not match the file name {name}").format(
            number=doc.data["number"], name=Path(relpath).name
        )
        raise InvalidFiles([Problem(relpath, line, col, said)])
    return doc


def _checked(
    text: str, relpath: str, schema: str, office_root: Path | None, known: Known | None
) -> yamlio.Document:
    """The file's document, checked against its schema and for hidden characters,
    unless ``known`` holds this very text as valid (its rules then pass too: they read
    nothing but the text and the path)."""
    data = known.checked(relpath, text) if known is not None else None
    if data is not None:
        return yamlio.Document(data, None)
    try:
        doc = yamlio.load(text)
    except yamlio.YamlProblem as exc:
        raise InvalidFiles([exc.at(relpath)]) from None
    if not isinstance(doc.data, dict):
        raise InvalidFiles([Problem(relpath, 1, 1, _("must be a mapping of fields"))])
    problems = validate.schema_problems(doc, relpath, validate.validator(schema, office_root))
    problems += validate.hidden_problems(text, doc, relpath)
    if problems:
        raise InvalidFiles(problems)
    return doc


def read_all(
    files: Mapping[str, bytes], office_root: Path | None = None, known: Known | None = None
) -> tuple[list[Report], list[Feedback], list[Problem]]:
    """Reports and opinions from their files' bytes (by path), and the problems of the
    files that could not be read. ``known``: the files found valid before, which this
    adds to."""
    reports: list[Report] = []
    opinions: list[Feedback] = []
    problems: list[Problem] = []
    for relpath in sorted(files):
        if not relpath.endswith(".yaml"):
            continue
        try:
            text = yamlio.decode(files[relpath])
            if relpath.startswith(REPORTS_DIR + "/") and relpath.count("/") == 1:
                reports.append(parse_report(text, relpath, office_root, known))
            elif relpath.startswith(FEEDBACK_DIR + "/") and relpath.count("/") == 2:
                opinions.append(parse_feedback(text, relpath, office_root, known))
        except yamlio.YamlProblem as exc:
            problems.append(exc.at(relpath))
        except InvalidFiles as exc:
            problems.extend(exc.problems)
    if known is not None:
        known.save()
    reports.sort(key=lambda r: (r.received, r.number))
    # a second opinion in the same second is <stamp>-<key>-2: longer names sort after
    opinions.sort(key=lambda f: (f.received, f.logged_at, len(f.path), f.path))
    return reports, opinions, problems

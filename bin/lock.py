#!/usr/bin/env python3
"""The hashed lock files in requirements/, made from pyproject.toml by pip-compile.

    python bin/lock.py           # (re)write requirements/prod.txt and requirements/dev.txt
    python bin/lock.py --check   # exit 1 if pyproject's dependencies changed since the lock
    python bin/lock.py --upgrade # newest versions allowed by pyproject's ranges

``make lock`` runs the first; ``make setup`` and CI run ``--check`` before installing with
``pip install --require-hashes``. pip-compile keeps every existing pin it can, so adding one
dependency changes only the lines that dependency brings.

Each lock file starts with a digest of what it was made from (``requires-python``,
``dependencies`` and ``optional-dependencies`` of pyproject.toml, comments and formatting
aside): ``--check`` compares it without resolving anything, offline, in a fraction of a
second. Only the standard library is needed for ``--check`` (it runs before the install).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
# lock file -> extras it includes
LOCKS = {ROOT / "requirements" / "prod.txt": [], ROOT / "requirements" / "dev.txt": ["dev"]}
DIGEST_PREFIX = "# pyproject-dependencies-sha256: "


def pyproject_digest() -> str:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    inputs = {
        key: project.get(key)
        for key in ("requires-python", "dependencies", "optional-dependencies")
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def recorded_digest(lock: Path) -> str | None:
    if not lock.exists():
        return None
    for line in lock.read_text().splitlines()[:5]:
        if line.startswith(DIGEST_PREFIX):
            return line.removeprefix(DIGEST_PREFIX).strip()
    return None


def check() -> int:
    digest = pyproject_digest()
    stale = [lock for lock in LOCKS if recorded_digest(lock) != digest]
    for lock in stale:
        print(
            f"{lock.relative_to(ROOT)} is out of date: pyproject.toml's dependencies changed "
            "since it was made. Run `make lock` and commit requirements/.",
            file=sys.stderr,
        )
    return 1 if stale else 0


def compile_locks(upgrade: bool) -> int:
    digest = pyproject_digest()
    for lock, extras in LOCKS.items():
        lock.parent.mkdir(exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "piptools",
            "compile",
            "--quiet",
            "--generate-hashes",
            "--allow-unsafe",  # pin setuptools/pip too when something needs them
            "--strip-extras",
            # The lock names packages and hashes, never this machine's index or wheel folder.
            "--no-emit-index-url",
            "--no-emit-find-links",
            "--no-emit-trusted-host",
            "--output-file",
            str(lock),
            *(f"--extra={extra}" for extra in extras),
            *(["--upgrade"] if upgrade else []),
            str(PYPROJECT),
        ]
        # pip-compile names this command in the file's header ("To update, run: make lock").
        env = {**os.environ, "CUSTOM_COMPILE_COMMAND": "make lock"}
        result = subprocess.run(command, cwd=ROOT, env=env)
        if result.returncode:
            return result.returncode
        text = lock.read_text()
        # The digest goes first; pip and pip-compile read it as a comment.
        lines = [line for line in text.splitlines() if not line.startswith(DIGEST_PREFIX)]
        lock.write_text("\n".join([f"{DIGEST_PREFIX}{digest}", *lines]) + "\n")
        print(f"wrote {lock.relative_to(ROOT)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the digests")
    parser.add_argument("--upgrade", action="store_true", help="upgrade every pin")
    args = parser.parse_args()
    return check() if args.check else compile_locks(args.upgrade)


if __name__ == "__main__":
    sys.exit(main())

"""Generates the Python protobuf and gRPC modules under shared/generated from protos/."""

from __future__ import annotations

import argparse
import filecmp
import re
import shutil
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = REPO_ROOT / "protos"
OUTPUT_ROOT = REPO_ROOT / "shared" / "generated"
GENERATED_PACKAGE = "shared.generated"
HEADER = "# Generated from protos/ by `make protos`. DO NOT EDIT.\n"

# protoc writes absolute imports such as `from silo.user.v1 import user_pb2`; the modules live
# inside the `shared` package, so those imports are rewritten to `shared.generated.silo...`.
_IMPORT_PATTERN = re.compile(r"^(from|import) silo\.", re.MULTILINE)


def _proto_files() -> list[Path]:
    return sorted(PROTO_ROOT.rglob("*.proto"))


def generate(output_root: Path) -> None:
    """Runs protoc on every proto file, writing Python, stub and gRPC modules to ``output_root``."""
    from grpc_tools import protoc  # noqa: PLC0415 - dev-only dependency, imported when used

    include = Path(protoc.__file__).parent / "_proto"
    files = [str(path.relative_to(PROTO_ROOT)) for path in _proto_files()]
    args = [
        "protoc",
        f"-I{PROTO_ROOT}",
        f"-I{include}",
        f"--python_out={output_root}",
        f"--pyi_out={output_root}",
        f"--grpc_python_out={output_root}",
        *files,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    for module in sorted(output_root.rglob("*.py*")):
        text = _IMPORT_PATTERN.sub(rf"\1 {GENERATED_PACKAGE}.silo.", module.read_text())
        module.write_text(HEADER + text)
    for directory in sorted({p.parent for p in output_root.rglob("*.py")} | {output_root}):
        init = directory / "__init__.py"
        if not init.exists():
            init.write_text(HEADER)


def _differences(left: Path, right: Path) -> list[str]:
    comparison = filecmp.dircmp(left, right, ignore=["__pycache__"])
    found = [f"only in generated tree: {name}" for name in comparison.left_only]
    found += [f"only in fresh output: {name}" for name in comparison.right_only]
    found += [
        f"stale: {name}"
        for name in comparison.common_files
        if (left / name).read_bytes() != (right / name).read_bytes()
    ]
    for name in comparison.common_dirs:
        found += [f"{name}/{entry}" for entry in _differences(left / name, right / name)]
    return found


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``generate`` rewrites shared/generated; ``check`` fails when it is stale."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["generate", "check"])
    action = parser.parse_args(argv).action
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "generated"
        fresh.mkdir()
        generate(fresh)
        if action == "check":
            if not OUTPUT_ROOT.exists():
                print("shared/generated is missing: run `make protos`", file=sys.stderr)
                return 1
            stale = _differences(OUTPUT_ROOT, fresh)
            if stale:
                print("generated code is stale, run `make protos`:", file=sys.stderr)
                for line in stale:
                    print(f"  {line}", file=sys.stderr)
                return 1
            print("generated code is up to date")
            return 0
        if OUTPUT_ROOT.exists():
            shutil.rmtree(OUTPUT_ROOT)
        shutil.copytree(fresh, OUTPUT_ROOT)
    print(f"generated {len(_proto_files())} proto files into {OUTPUT_ROOT.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

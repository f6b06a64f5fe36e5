"""`carbon-wizard`: the full-screen wizard by default, and the same plan without it.

Every failure an operator can cause ends in one paragraph on stderr and a non-zero exit;
a traceback is shown only with CARBON_WIZARD_DEBUG=1.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from wizard import __version__, answers, locations, presets
from wizard.model import Topology
from wizard.problems import AnswersError

EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except AnswersError as exc:
        print(exc.report(), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\ninterrupted; nothing was written", file=sys.stderr)
        return 130
    except Exception as exc:
        from wizard.distribution import DistributionError
        from wizard.output import OutputError

        if isinstance(exc, OutputError | DistributionError):
            print(f"carbon-wizard: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if os.environ.get("CARBON_WIZARD_DEBUG"):
            raise
        print(
            f"carbon-wizard: internal error ({type(exc).__name__}: {exc}). Nothing was "
            "written. Run again with CARBON_WIZARD_DEBUG=1 to see where it happened.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="carbon-wizard",
        description="Plan WSO2 Carbon 4.4.x clusters that share databases and write every "
        "node's registry.xml, user-mgt.xml and master-datasources.xml.",
    )
    parser.add_argument("--version", action="version", version=f"carbon-wizard {__version__}")
    parser.set_defaults(run=_run_tui)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    gen = sub.add_parser("generate", help="write the tree for a preset or an answers file")
    _add_source(gen)
    gen.add_argument("--out", required=True, type=Path, help="directory to write the tree to")
    gen.add_argument(
        "--force",
        action="store_true",
        help="replace a non-empty --out directory (the old one is kept as a backup)",
    )
    gen.set_defaults(run=_run_generate)

    check = sub.add_parser("check", help="check a written tree against the WSO2 rules")
    check.add_argument("dir", type=Path, help="a tree written by generate")
    check.set_defaults(run=_run_check)

    pre = sub.add_parser("presets", help="list the presets with their descriptions")
    pre.set_defaults(run=_run_presets)

    probe = sub.add_parser(
        "probe", help="test that every database answers and accepts the generated users"
    )
    source = probe.add_mutually_exclusive_group(required=True)
    source.add_argument("--answers", type=Path, metavar="FILE", help="an answers TOML file")
    source.add_argument("--preset", metavar="NAME", help="a preset name (see `presets`)")
    source.add_argument("dir", nargs="?", type=Path, help="a tree written by generate")
    probe.add_argument("--timeout", type=float, default=3.0, help="seconds per step (3)")
    probe.set_defaults(run=_run_probe)
    return parser


def _add_source(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--answers", type=Path, metavar="FILE", help="an answers TOML file")
    group.add_argument("--preset", metavar="NAME", help="a preset name (see `presets`)")


def _topology(args: argparse.Namespace) -> Topology:
    if getattr(args, "preset", None):
        return presets.load_preset(args.preset, locations.preset_dirs())
    if getattr(args, "answers", None):
        return answers.load(args.answers)
    return answers.load(args.dir / "topology.toml")


def _run_generate(args: argparse.Namespace) -> int:
    from wizard import plan, tree
    from wizard.output import write_tree

    built = tree.build(plan.build(_topology(args), os.environ))
    result = write_tree(built, args.out, force=args.force)
    print(f"wrote {result.files} files to {result.path}")
    if result.backup:
        print(f"the previous contents are kept in {result.backup}")
    print(f"next: read {result.path / 'README.md'}; `carbon-wizard check {result.path}` passes")
    return 0


def _run_check(args: argparse.Namespace) -> int:
    from wizard import rules

    if not args.dir.is_dir():
        print(f"carbon-wizard: {args.dir} is not a directory", file=sys.stderr)
        return EXIT_USAGE
    findings = rules.check_tree(args.dir)
    for finding in findings:
        print(finding)
    if findings:
        print(f"{len(findings)} finding(s) in {args.dir}", file=sys.stderr)
        return EXIT_FINDINGS
    print(f"{args.dir}: no findings")
    return 0


def _run_presets(args: argparse.Namespace) -> int:
    found = presets.list_presets(locations.preset_dirs())
    if not found:
        print("no presets found")
    width = max((len(p.name) for p in found), default=0)
    for info in found:
        text = info.description if info.problem is None else f"(broken: {info.problem})"
        print(f"{info.name:<{width}}  {text}")
    return 0


def _run_probe(args: argparse.Namespace) -> int:
    from wizard import plan, probe

    results = probe.probe(plan.build(_topology(args), os.environ), timeout=args.timeout)
    print(probe.format_results(results))
    return EXIT_FINDINGS if any(r.status == "failed" for r in results) else 0


def _run_tui(args: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(
            "carbon-wizard: the wizard needs a terminal. Without one, write an answers file "
            "and run `carbon-wizard generate --answers FILE --out DIR` (see `--help`).",
            file=sys.stderr,
        )
        return EXIT_USAGE
    # The one place the core reaches the UI: loaded by name at launch, so nothing in
    # wizard/ depends on Textual and `generate` never pays for importing it.
    run_app = importlib.import_module("screens.app").run_app
    return run_app(
        preset_dirs=locations.preset_dirs(),
        sessions_dir=locations.sessions_dir(),
        env=os.environ,
    )

"""`carbon-wizard`: the full-screen wizard by default, and the same plan without it.

Every failure an operator can cause ends in one paragraph on stderr and a non-zero exit;
a traceback is shown only with CARBON_WIZARD_DEBUG=1.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from wizard import __version__, collector
from wizard.names import shown
from wizard.problems import AnswersError

if TYPE_CHECKING:
    from wizard.model import Topology

EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70


AppLauncher = Callable[..., int]
"""Starts the full-screen wizard: given by `screens.launch`, the console script, so that
nothing in wizard/ imports the UI."""


def main(argv: Sequence[str] | None = None, *, launch_app: AppLauncher | None = None) -> int:
    args = _parser().parse_args(argv)
    args.launch_app = launch_app
    try:
        return int(args.run(args))
    except AnswersError as exc:
        print(exc.report(), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\ninterrupted; nothing was written", file=sys.stderr)
        return 130
    except Exception as exc:
        # Imported here: `generate` loads neither sessions nor platformdirs otherwise.
        from wizard.distribution import DistributionError
        from wizard.fleet import FleetError
        from wizard.output import OutputError
        from wizard.sessions import SessionError

        if isinstance(exc, OutputError | DistributionError | SessionError | FleetError):
            print(f"carbon-wizard: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if isinstance(exc, OSError) and exc.filename and not os.environ.get("CARBON_WIZARD_DEBUG"):
            # The system refused a path (permissions, a full or read-only disk): the
            # operator's to fix, said with the path, never as an internal error.
            print(
                f"carbon-wizard: cannot use {exc.filename}: {exc.strerror or exc}; check that "
                "the path exists and that you may read (or write) it, and run again",
                file=sys.stderr,
            )
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
    _add_wizard_options(parser, default=False)
    parser.add_argument(
        "--preset", dest="start_preset", metavar="NAME", help="start the wizard from a preset"
    )
    parser.set_defaults(run=_run_wizard, session=None)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    resume = sub.add_parser("resume", help="resume a saved session (the newest without ID)")
    resume.add_argument("session", nargs="?", metavar="ID", help="session id or a unique prefix")
    # Given before or after `resume`: not given after it, the value before it stands.
    _add_wizard_options(resume, default=argparse.SUPPRESS)
    resume.set_defaults(run=_run_resume, start_preset=None)

    ses = sub.add_parser("sessions", help="list, remove or export saved sessions")
    ses.set_defaults(run=_run_sessions_list)
    ses_sub = ses.add_subparsers(title="actions", metavar="ACTION")
    ses_sub.add_parser("list", help="list sessions, newest first").set_defaults(
        run=_run_sessions_list
    )
    rm = ses_sub.add_parser("rm", help="remove a session")
    rm.add_argument("session", metavar="ID")
    rm.add_argument("--yes", action="store_true", help="do not ask first")
    rm.set_defaults(run=_run_sessions_rm)
    exp = ses_sub.add_parser("export", help="write a session's answers as an answers TOML")
    exp.add_argument("session", metavar="ID")
    exp.add_argument("file", type=Path, metavar="FILE")
    exp.set_defaults(run=_run_sessions_export)

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
    check.add_argument(
        "--deployed",
        action="store_true",
        help="check what `collect` fetched from the nodes (DIR/deployed/) in place of nodes/, "
        "and show per file: stock -> planned -> deployed",
    )
    check.add_argument(
        "--distribution",
        action="append",
        default=[],
        metavar="PATH",
        help="a product's .zip or PRODUCT_HOME: every schema script manifest.json names for "
        "that product must be in it (rule 28); repeat for each product",
    )
    check.set_defaults(run=_run_check)

    col = sub.add_parser(
        "collect",
        help="fetch each node's deployed copies of the tree's files into DIR/deployed/",
        description="Runs DIR/ansible/collect.yml (needs ansible-playbook: pip install "
        "'carbon-wizard[fleet]'). Everything after DIR goes to ansible-playbook, e.g. "
        "--limit apim, -i more-inventory.yml, --become -K.",
    )
    col.add_argument(
        "--timeout", type=float, default=3600.0, help="seconds before the run is stopped (3600)"
    )
    col.add_argument("dir", type=Path, help="a tree written by generate")
    col.add_argument("ansible_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    col.set_defaults(run=_run_collect)

    pre = sub.add_parser("presets", help="list the presets with their descriptions")
    pre.set_defaults(run=_run_presets)

    probe = sub.add_parser(
        "probe", help="test that every database answers and accepts the generated users"
    )
    source = probe.add_mutually_exclusive_group(required=True)
    source.add_argument("--answers", type=Path, metavar="FILE", help="an answers TOML file")
    source.add_argument("--preset", metavar="NAME", help="a preset name (see `presets`)")
    source.add_argument("dir", nargs="?", type=Path, help="a tree written by generate")
    probe.add_argument(
        "--timeout", type=_probe_timeout, default=3.0, help="seconds per step, 0.1-120 (3)"
    )
    probe.set_defaults(run=_run_probe)
    return parser


def _add_wizard_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--plain",
        action="store_true",
        default=default,
        help="ask plain questions instead of the full-screen wizard (also: CARBON_WIZARD_PLAIN=1)",
    )


def _add_source(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--answers", type=Path, metavar="FILE", help="an answers TOML file")
    group.add_argument("--preset", metavar="NAME", help="a preset name (see `presets`)")


def _topology(args: argparse.Namespace) -> Topology:
    from wizard import answers

    if getattr(args, "preset", None):
        from wizard import locations, presets

        return presets.load_preset(args.preset, locations.preset_dirs())
    if getattr(args, "answers", None):
        return answers.load(args.answers)
    return answers.load(args.dir / "topology.toml")


def _run_generate(args: argparse.Namespace) -> int:
    from wizard import workflow
    from wizard.problems import AnswersError

    topology = _topology(args)
    if topology.confirm:
        # generate does not ask; it writes, and says which answers still need checking.
        print(
            "carbon-wizard: note: these answers are marked site-specific and were not "
            "confirmed: " + ", ".join(topology.confirm),
            file=sys.stderr,
        )
    with collector.paused():
        planned = workflow.plan_topology(topology, os.environ)
        if planned.plan is None:
            raise AnswersError(planned.problems)
        result = workflow.write(workflow.build(planned.plan), args.out, force=args.force)
    for note in result.swept:
        print(f"carbon-wizard: {note}", file=sys.stderr)
    print(f"wrote {result.files} files to {result.path}")
    if result.backup:
        print(
            f"the previous contents are kept in {result.backup} (with their passwords: "
            "remove it once the new tree is in use)"
        )
    print(f"next: read {result.path / 'README.md'}; `carbon-wizard check {result.path}` passes")
    return 0


def _run_check(args: argparse.Namespace) -> int:
    from wizard import rules

    if not args.dir.is_dir():
        print(
            f"carbon-wizard: {args.dir} is not a directory; give the folder generate wrote "
            "(the one holding manifest.json)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    where = args.dir
    # Opened first: a distribution that cannot be read is said before any finding.
    distributions = [rules.scripts.open_distribution(p) for p in args.distribution]
    with collector.paused():
        if args.deployed:
            from wizard import drift, fleet

            files = fleet.deployed_tree(args.dir)
            views, notes = drift.views(args.dir)
            print(drift.report(views, notes), end="")
            where = args.dir / "deployed"
            findings = rules.check_files(files, distributions)
        else:
            findings = rules.check_tree(args.dir, distributions)
    for finding in findings:
        print(finding)
    if findings:
        print(f"{len(findings)} finding(s) in {where}", file=sys.stderr)
        return EXIT_FINDINGS
    print(f"{where}: no findings")
    return 0


def _run_collect(args: argparse.Namespace) -> int:
    from wizard import fleet

    result = fleet.collect(args.dir, args.ansible_args, timeout=args.timeout)
    total = sum(result.files.values())
    print(f"collected {total} file(s) of {len(result.files)} node(s) into {result.path}")
    print(f"next: carbon-wizard check {args.dir} --deployed")
    return 0


def _run_presets(args: argparse.Namespace) -> int:
    from wizard import locations, presets

    found = presets.list_presets(locations.preset_dirs())
    if not found:
        print("no presets found")
    width = max((len(p.name) for p in found), default=0)
    for info in found:
        text = info.description if info.problem is None else f"(broken: {info.problem})"
        # A preset is a file anyone may have written: nothing in it reaches the terminal raw.
        print(f"{info.name:<{width}}  {shown(text, 300)}")
    return 0


def _probe_timeout(text: str) -> float:
    """--timeout refused at once (exit 2, the option named) when no wait could use it."""
    from wizard.probe import check_timeout

    try:
        return check_timeout(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _run_probe(args: argparse.Namespace) -> int:
    from wizard import plan, probe

    results = probe.probe(plan.build(_topology(args), os.environ), timeout=args.timeout)
    print(probe.format_results(results))
    return EXIT_FINDINGS if any(r.status == "failed" for r in results) else 0


def _run_resume(args: argparse.Namespace) -> int:
    from wizard import locations, sessions

    directory = locations.sessions_dir()
    if args.session:
        args.session = sessions.resolve_id(args.session, dir=directory)
    else:
        newest = sessions.latest(directory)
        if newest is None:
            print("carbon-wizard: no saved sessions to resume; run carbon-wizard", file=sys.stderr)
            return EXIT_USAGE
        args.session = newest.id
    return _run_wizard(args)


def _run_sessions_list(args: argparse.Namespace) -> int:
    from wizard import locations, sessions

    print(sessions.format_list(sessions.list_sessions(locations.sessions_dir())))
    return 0


def _run_sessions_rm(args: argparse.Namespace) -> int:
    from wizard import locations, sessions

    directory = locations.sessions_dir()
    session_id = sessions.resolve_id(args.session, dir=directory)
    if not args.yes:
        if not sys.stdin.isatty():
            print(
                f"carbon-wizard: not removing {session_id} without a terminal to confirm on; "
                "add --yes",
                file=sys.stderr,
            )
            return EXIT_USAGE
        reply = input(f"remove session {session_id}? [y/N] ").strip().lower()
        if reply not in ("y", "yes"):
            print("kept")
            return 0
    sessions.delete(session_id, dir=directory)
    print(f"removed session {session_id}")
    return 0


def _run_sessions_export(args: argparse.Namespace) -> int:
    from wizard import locations, sessions

    directory = locations.sessions_dir()
    session_id = sessions.resolve_id(args.session, dir=directory)
    path = sessions.export(session_id, args.file, dir=directory)
    print(f"wrote {path}; passwords are left out (see the password_env names in it)")
    return 0


def _run_wizard(args: argparse.Namespace) -> int:
    from wizard import locations, steps

    env = dict(os.environ)
    if args.plain:
        env[steps.PLAIN_VARIABLE] = "1"
    plain, note = steps.should_use_plain(env, sys.stdin.isatty(), sys.stdout.isatty())
    launch_app: AppLauncher | None = args.launch_app
    if not plain and launch_app is None:
        # `python -m wizard`: the core alone, without the full-screen app.
        plain = True
        note = "the full-screen wizard starts from `carbon-wizard`; asking plain questions"
    if plain:
        if note:
            print(f"carbon-wizard: {note}", file=sys.stderr)
        # The prompt mode imports questionary only: no Textual, so it starts fast.
        from wizard.prompt import run_prompt

        return run_prompt(
            env=os.environ,
            sessions_dir=locations.sessions_dir(),
            preset_dirs=locations.preset_dirs(),
            start_session=args.session,
            preset=args.start_preset,
        )
    assert launch_app is not None
    extra: dict[str, str] = {}
    if args.session:
        extra["session"] = args.session
    if args.start_preset:
        extra["preset"] = args.start_preset
    return int(
        launch_app(
            preset_dirs=locations.preset_dirs(),
            sessions_dir=locations.sessions_dir(),
            env=os.environ,
            **extra,
        )
    )

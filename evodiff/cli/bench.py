"""``evodiff bench``: the suites of :data:`evodiff.bench.suites.SUITES`, their options
checked against the chosen suite, then the suite's own command."""

from __future__ import annotations

import sys

from .. import registry
from .common import add_no_progress, check_out, int_at_least, one_line

__all__ = ["add_command"]


def add_command(commands):
    """Declare ``evodiff bench`` on ``commands`` (a subparsers action); return its parser.

    The suites and their own options come from :data:`evodiff.bench.suites.SUITES`.
    """
    from ..bench.suites import SUITES

    bench = commands.add_parser(
        "bench",
        help="benchmark methods x problems x seeds; write tables and figures",
        description=(
            "Run every chosen method on every chosen problem of a suite and write the "
            "results (results.csv or runs.csv, summary.md) and figures into --out. Suites: "
            + "; ".join(f"{s.name}: {s.description}" for s in SUITES.values()) + ". "
            "For the paper suite each cell of summary.md is 'entropy (fitness)' of the top 64 "
            "individuals, as in Table 1 of Zhang et al., ICLR 2025 (--runs 100 reproduces "
            "the paper's protocol), and each method is compared with Diffusion Evolution by "
            "a two-sided Mann-Whitney U test."
        ),
    )
    bench.add_argument("--suite", choices=list(SUITES), default="paper",
                       help="the suite to run (default: %(default)s)")
    peers = [peer for s in SUITES.values() for peer in s.peers]
    bench.add_argument("--methods", nargs="+",
                       choices=[*registry.method_names(), *registry.method_names("binary"),
                                *peers],
                       default=None, metavar="M",
                       help="methods to run, any of %(choices)s (" + "; ".join(
                           f"{', '.join(repr(p) for p in s.peers)}: {s.name} only"
                           for s in SUITES.values() if s.peers)
                       + "; default: the suite's)")
    bench.add_argument("--problems", nargs="+", default=None, metavar="P",
                       help="problems to run (default: all of the suite's; not for bbob)")
    bench.add_argument("--runs", type=int_at_least(1), default=None, metavar="N",
                       help="independent runs per method and problem (default: 10; "
                            "cec2013-niching: 50; the paper: 100; not for bbob, where the "
                            "instances are the runs)")
    bench.add_argument("--seed", type=int_at_least(0), default=None, metavar="S",
                       help="bbob: base seed of every run; cec2013-niching: the first seed "
                            "(runs use S .. S + N - 1) (default: 0)")
    added = set()
    for suite in SUITES.values():
        new = [(flags, keywords) for flags, keywords in suite.options if flags[0] not in added]
        if new:  # an option two suites share is listed under the first
            group = bench.add_argument_group(f"{suite.name} suite", suite.description)
            for flags, keywords in new:
                group.add_argument(*flags, default=None, **keywords)
                added.add(flags[0])
    bench.add_argument("--jobs", type=int_at_least(1), default=1, metavar="J",
                       help="parallel worker processes; results do not depend on it "
                            "(default: %(default)s)")
    bench.add_argument("--out", default="evodiff-out/bench", metavar="DIR",
                       help="output folder (default: %(default)s)")
    bench.add_argument("--no-figures", action="store_true", help="write the tables only")
    add_no_progress(bench)
    bench.set_defaults(handler=_cmd_bench, command_parser=bench)
    return bench


def _flag(dest):
    return "--" + dest.replace("_", "-")


def _cmd_bench(args):
    """Run ``evodiff bench``: check the options belong to the suite, then run its command."""
    from ..bench.suites import COMMON_OPTIONS, SUITES

    parser = args.command_parser
    suite = SUITES[args.suite]
    given = {dest for dest in COMMON_OPTIONS
             if getattr(args, dest) not in (None, False)}
    for dest in sorted(given - set(suite.accepts)):
        takers = [s.name for s in SUITES.values() if dest in s.accepts]
        parser.error(f"argument {_flag(dest)}: not for --suite {suite.name} "
                     f"(only for {', '.join(takers)})")
    own = {flags[0] for flags, _ in suite.options}
    for other in SUITES.values():
        for flags, _ in other.options:
            dest = flags[0].lstrip("-").replace("-", "_")
            if flags[0] not in own and getattr(args, dest) is not None:
                owners = [s.name for s in SUITES.values()
                          if flags[0] in {f[0] for f, _ in s.options}]
                parser.error(f"argument {flags[0]}: only for --suite {' or '.join(owners)}")
    for name in args.methods or []:
        if name not in registry.METHODS and name not in suite.peers:
            owners = [s.name for s in SUITES.values() if name in s.peers]
            parser.error(f"argument --methods: {name!r} runs on --suite "
                         f"{' or '.join(owners)} only")
        spec = registry.METHODS.get(name)
        if spec is not None and not suite.runs_domain(spec.domain):
            parser.error(f"argument --methods: {name!r} is a {spec.domain} method; --suite "
                         f"{suite.name} runs {'binary' if spec.domain != 'binary' else 'continuous'}"
                         " methods")
    check_out(parser, args.out)
    try:
        return suite.command(args)
    except ImportError as exc:
        print(f"evodiff bench: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        parser.error(one_line(exc))

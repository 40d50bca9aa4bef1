"""Command line: `rsa-desktop [PATH]` starts the program; subcommands work headless (no Qt).

Exit codes: 0 fine, 1 findings, 2 the file cannot be used (a one-line Swedish reason on stderr).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rsa_desktop import __version__

SUBCOMMANDS = ("demo", "info", "check")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rsa-desktop",
        description="RSA Desktop – risk- och sårbarhetsanalys för förvaltningar och bolag i Stockholms stad.",
        epilog="Utan underkommando startar det grafiska programmet (med filen PATH om den anges).")
    p.add_argument("--version", action="version", version=f"RSA Desktop {__version__}")
    sub = p.add_subparsers(dest="command", metavar="KOMMANDO")
    d = sub.add_parser("demo", help="skriv en exempelanalys till en ny fil")
    d.add_argument("path", metavar="PATH", type=Path)
    d.add_argument("--size", choices=("normal", "large"), default="normal",
                   help="normal: Överförmyndarförvaltningen; large: stor syntetisk analys för prestandamätning")
    d.add_argument("--force", action="store_true", help="skriv över en befintlig fil")
    i = sub.add_parser("info", help="visa organisation, år och antal objekt per år")
    i.add_argument("path", metavar="PATH", type=Path)
    c = sub.add_parser("check", help="kontrollera filens integritet och att alla värden är giltiga")
    c.add_argument("path", metavar="PATH", type=Path)
    return p


def _fail(message: str) -> int:
    print(f"rsa-desktop: {message}", file=sys.stderr)
    return 2


def cmd_demo(args) -> int:
    from rsa_desktop.services.demo import write_demo

    path = write_demo(args.path, args.size, overwrite=args.force)
    print(f"Exempelanalys skriven till {path}")
    return 0


def cmd_info(args) -> int:
    from rsa_desktop.model.kinds import KINDS
    from rsa_desktop.services.rsa import RsaService
    from rsa_desktop.storage.database import Document

    with Document.open(args.path, readonly=True) as doc:
        svc = RsaService(doc)
        org = svc.organisation()
        analyses = svc.analyses()
        print(f"Fil: {args.path}")
        if org is not None:
            kind = KINDS["organisation"].field("org_type").choice_label(org.org_type)
            print(f"Organisation: {org.name} ({kind})" + (f", {org.committee}" if org.committee else ""))
        print("År: " + (", ".join(str(a.year) for a in analyses) or "inga"))
        for a in analyses:
            counts = svc.counts(a.id)
            status = KINDS["analysis"].field("status").choice_label(a.status)
            print(f"\n{a.year} ({status.lower()})")
            for kind, n in counts.items():
                if kind == "function_critical":
                    continue
                label = KINDS[kind].plural
                extra = f" (varav {counts['function_critical']} samhällsviktiga)" if kind == "function" else ""
                print(f"  {label + ':':<22}{n:>6}{extra}")
    return 0


def cmd_check(args) -> int:
    from rsa_desktop.services.check import run_check
    from rsa_desktop.services.rsa import RsaService
    from rsa_desktop.storage.database import Document

    with Document.open(args.path, readonly=True) as doc:
        findings = run_check(RsaService(doc))
    if not findings:
        print(f"Inga fel hittades i {args.path}.")
        return 0
    for f in findings:
        print(f)
    print(f"\n{len(findings)} fynd.")
    return 1


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in SUBCOMMANDS and not argv[0].startswith("-")):
        if len(argv) > 1:
            return _fail("ange högst en fil att öppna.")
        from rsa_desktop.app import run_gui  # Qt is imported only for the GUI

        return run_gui(argv[0] if argv else None)
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 0
    from rsa_desktop.storage.errors import DocumentError

    try:
        return {"demo": cmd_demo, "info": cmd_info, "check": cmd_check}[args.command](args)
    except DocumentError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("avbrutet.")


if __name__ == "__main__":
    raise SystemExit(main())

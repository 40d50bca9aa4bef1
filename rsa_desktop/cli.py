"""Command line: `rsa-desktop [PATH]` starts the program; subcommands work headless (no Qt).

Exit codes: 0 fine, 1 findings, 2 the file cannot be used (a one-line Swedish reason on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rsa_desktop import __version__

SUBCOMMANDS = ("demo", "info", "check", "export")


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
    c = sub.add_parser("check", help="kontrollera filen och gör RSA-kontrollen (fullständighet och rimlighet)",
                       description="Kontrollerar filens integritet, att alla värden är giltiga och gör RSA-kontrollen. "
                                   "Avslutar med 1 om något fel hittas (med --strict även varningar), annars 0.")
    c.add_argument("path", metavar="PATH", type=Path)
    c.add_argument("--year", type=int, metavar="ÅR", help="bara detta analysår")
    c.add_argument("--strict", action="store_true", help="räkna även varningar som fel")
    x = sub.add_parser("export", help="skriv rapporten till kommunstyrelsen som Excel och/eller PDF",
                       description="Skriver analysen som Excelarbetsbok (--xlsx) och/eller PDF-rapport (--pdf). "
                                   "Filerna skrivs först till en tillfällig fil bredvid målet och byter sedan namn, "
                                   "så att en halvfärdig fil aldrig ersätter en hel.")
    x.add_argument("path", metavar="PATH", type=Path)
    x.add_argument("--year", type=int, metavar="ÅR", help="analysåret (standard: det senaste året i filen)")
    x.add_argument("--xlsx", type=Path, metavar="UT", help="Excelfil att skriva")
    x.add_argument("--pdf", type=Path, metavar="UT", help="PDF-fil att skriva")
    x.add_argument("--public", action="store_true",
                   help="öppet utdrag: utan sekretessmarkerade uppgifter, märkt ”Öppet utdrag”")
    return p


def open_readonly(path: Path):
    """Open a document for reading; a protected file takes its passphrase from RSA_DESKTOP_PASSPHRASE
    or, at a terminal, from a prompt (never from the command line, where others could see it)."""
    from rsa_desktop.storage import crypto
    from rsa_desktop.storage.database import Document

    passphrase = None
    if crypto.is_encrypted(path):
        passphrase = os.environ.get("RSA_DESKTOP_PASSPHRASE")
        if passphrase is None and sys.stdin is not None and sys.stdin.isatty():
            import getpass

            passphrase = getpass.getpass(f"Lösenfras för {path.name}: ")
    return Document.open(path, readonly=True, passphrase=passphrase)


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

    with open_readonly(args.path) as doc:
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
    from rsa_desktop.services.review import ERROR, review
    from rsa_desktop.services.rsa import RsaService

    with open_readonly(args.path) as doc:
        svc = RsaService(doc)
        findings = run_check(svc)  # the file itself and every stored value
        analyses = [a for a in svc.analyses() if args.year is None or a.year == args.year]
        if args.year is not None and not analyses:
            return _fail(f"filen har ingen analys för {args.year}.")
        kontroll = {a.year: review(svc, a.id) for a in analyses}
    for f in findings:
        print(f)
    errors = len(findings)
    for year, items in kontroll.items():
        if not items:
            continue
        print(f"\nRSA-kontroll {year}:")
        for f in items:
            print(f"  {f}")
        errors += sum(1 for f in items if f.severity == ERROR or args.strict)
    if errors:
        print(f"\n{errors} fel att åtgärda.")
        return 1
    print(f"\nInga fel hittades i {args.path}." if not any(kontroll.values()) and not findings
          else "\nInga fel; varningarna ovan bör ses över.")
    return 0


def cmd_export(args) -> int:
    from rsa_desktop.reports.atomic import ExportError
    from rsa_desktop.reports.common import gather
    from rsa_desktop.services.rsa import RsaService

    if args.xlsx is None and args.pdf is None:
        return _fail("ange minst en utfil med --xlsx eller --pdf.")
    outputs = [p for p in (args.xlsx, args.pdf) if p is not None]
    if args.xlsx is not None and args.pdf is not None and args.xlsx.resolve() == args.pdf.resolve():
        return _fail("Excel- och PDF-filen måste ha olika namn.")
    if any(p.resolve() == args.path.resolve() for p in outputs):
        return _fail("utfilen får inte vara samma fil som analysfilen.")
    with open_readonly(args.path) as doc:
        svc = RsaService(doc)
        analyses = svc.analyses()
        if svc.organisation() is None or not analyses:
            return _fail(f"filen innehåller ingen analys: {args.path}")
        if args.year is None:
            analysis = analyses[-1]
        else:
            analysis = next((a for a in analyses if a.year == args.year), None)
            if analysis is None:
                years = ", ".join(str(a.year) for a in analyses)
                return _fail(f"det finns ingen analys för {args.year} i filen (finns: {years}).")
        data = gather(svc, analysis.id, public=args.public)
        what = " (öppet utdrag)" if args.public else ""
        try:
            if args.xlsx is not None:
                from rsa_desktop.reports.xlsx import write_xlsx

                write_xlsx(data, args.xlsx)
                print(f"Excel för {analysis.year}{what} skriven till {args.xlsx}")
            if args.pdf is not None:
                from rsa_desktop.reports.pdf import write_pdf

                write_pdf(data, args.pdf, svc=svc)
                print(f"PDF för {analysis.year}{what} skriven till {args.pdf}")
        except ExportError as exc:
            return _fail(str(exc))
    return 0


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
        return {"demo": cmd_demo, "info": cmd_info, "check": cmd_check,
                "export": cmd_export}[args.command](args)
    except DocumentError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("avbrutet.")


if __name__ == "__main__":
    raise SystemExit(main())

"""Command line: `rsa-desktop [PATH]` starts the program; subcommands work headless (no Qt).

Exit codes: 0 fine, 1 findings, 2 the file cannot be used (a one-line Swedish reason on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rsa_desktop import __version__

SUBCOMMANDS = ("demo", "info", "check", "export", "carry-forward", "import-xlsx", "consolidate", "catalogue-export",
               "catalogue-import")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rsa-desktop",
        description="RSA Desktop – risk- och sårbarhetsanalys för förvaltningar och bolag i Stockholms stad.",
        epilog="Utan underkommando startar det grafiska programmet (med filen PATH om den anges).")
    p.add_argument("--version", action="version", version=f"RSA Desktop {__version__}")
    p.add_argument("--selftest", action="store_true",
                   help="kontrollera installationen utan fönster (skapar en tillfällig fil, exporterar PDF och Excel)")
    sub = p.add_subparsers(dest="command", metavar="KOMMANDO")
    d = sub.add_parser("demo", help="skriv en exempelanalys till en ny fil")
    d.add_argument("path", metavar="PATH", type=Path)
    d.add_argument("--size", choices=("normal", "large", "large2x"), default="normal",
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
    x.add_argument("--docx", type=Path, metavar="UT", help="Worddokument att skriva (redigerbar rapport)")
    x.add_argument("--public", action="store_true",
                   help="öppet utdrag: utan sekretessmarkerade uppgifter, märkt ”Öppet utdrag”")
    x.add_argument("--reviewed", action="store_true",
                   help="sekretessgranskningen är gjord (krävs för --public när analysen har ett sekretessbeslut "
                        "men inget är markerat)")
    cf = sub.add_parser("carry-forward", help="ny årsanalys från föregående år",
                        description="Kopierar ett års analys till ett nytt år med samma ID:n och kopplingar. Allt "
                                    "markeras ”att granska”, öppna åtgärder förs över och det gamla året arkiveras.")
    cf.add_argument("path", metavar="PATH", type=Path)
    cf.add_argument("--from", dest="from_year", type=int, metavar="ÅR", required=True, help="året att utgå från")
    cf.add_argument("--to", dest="to_year", type=int, metavar="ÅR", required=True, help="det nya året")
    im = sub.add_parser("import-xlsx", help="läs in en (redigerad) Excelexport i analysen eller som nytt år",
                        description="Läser in en Excelarbetsbok som programmet har exporterat, kanske redigerad i "
                                    "Excel. Rader matchas med sina ID:n. Finns fel läses ingenting in (utom med "
                                    "--only-valid). Rader som saknas i arbetsboken tas inte bort (utom med "
                                    "--delete-missing). En säkerhetskopia tas först.")
    im.add_argument("path", metavar="PATH", type=Path)
    im.add_argument("xlsx", metavar="IN.xlsx", type=Path)
    im.add_argument("--year", type=int, metavar="ÅR", help="analysen att läsa in i (standard: arbetsbokens år)")
    im.add_argument("--new-year", type=int, metavar="ÅR", help="skapa en ny analys för ÅR från arbetsboken")
    im.add_argument("--only-valid", action="store_true", help="läs in de giltiga raderna trots fel på andra")
    im.add_argument("--delete-missing", action="store_true",
                    help="ta bort objekt vars rader saknas i arbetsboken")
    im.add_argument("--dry-run", action="store_true", help="visa bara vad som skulle ändras")
    im.add_argument("--other-organisation", action="store_true",
                    help="läs in en arbetsbok från en annan organisation ändå (filens organisationsuppgifter behålls)")
    co = sub.add_parser("consolidate", help="sammanställ många inlämningar till stadens samlade bild (KS)",
                        description="Läser RSA-filer och Excelexporter (blandat, även mappar) och skriver en samlad "
                                    "Excelarbetsbok och PDF. Filer som inte kan läsas listas med orsak.")
    co.add_argument("out", metavar="UT.xlsx", type=Path)
    co.add_argument("inputs", metavar="INLÄMNING", type=Path, nargs="+")
    co.add_argument("--pdf", type=Path, metavar="UT.pdf", help="PDF-rapport att skriva")
    co.add_argument("--year", type=int, metavar="ÅR", help="analysåret (standard: det vanligaste året bland filerna)")
    co.add_argument("--public", action="store_true",
                    help="öppet utdrag: utan det som inlämningarnas öppna utdrag utelämnar, märkt ”Öppet utdrag”")
    co.add_argument("--security-class", default="", metavar="KLASS",
                    help="begransat_hemlig, konfidentiell, hemlig eller kvalificerat_hemlig: sammanställningens säkerhetsskyddsklass (ditt beslut; kopieras aldrig från en inlämning)")
    co.add_argument("--secrecy", default="", metavar="TEXT",
                    help="sammanställningens sekretessmarkering, t.ex. ”Sekretess enligt 18 kap. 13 § OSL, beslut …”")
    ke = sub.add_parser("catalogue-export", help="skriv filens kataloger som ett katalogpaket att redigera och dela",
                        description="Skriver katalogerna som filen använder (ett inläst katalogpaket eller programmets "
                                    "egna) som ett katalogpaket: sektorer, beroendetyper, scenarier, organisationer, "
                                    "mallar, ordlista, redovisningskalender och rapportrubriker.")
    ke.add_argument("path", metavar="PATH", type=Path)
    ke.add_argument("out", metavar="UT.json", type=Path)
    ke.add_argument("--version", dest="package_version", metavar="VERSION", help="paketets nya version, t.ex. 2026.2")
    ke.add_argument("--name", metavar="NAMN", help="paketets namn, t.ex. ”Stockholms stad 2026”")
    ki = sub.add_parser("catalogue-import", help="läs in ett katalogpaket från kommunstyrelsen",
                        description="Kontrollerar katalogpaketet, visar vad det ändrar och läser in det: lagrade "
                                    "värden får katalogens nya benämningar, värden som inte finns kvar markeras ”att "
                                    "granska”. Arkiverade år ändras inte. En säkerhetskopia tas först.")
    ki.add_argument("path", metavar="PATH", type=Path)
    ki.add_argument("package", metavar="PAKET.json", type=Path, nargs="?")
    ki.add_argument("--program", action="store_true", help="återgå till programmets egna kataloger")
    ki.add_argument("--dry-run", action="store_true", help="visa bara vad som skulle ändras")
    return p


def cmd_catalogue_export(args) -> int:
    from rsa_desktop.services import catalogue_update
    from rsa_desktop.services.rsa import RsaService

    if args.out.resolve() == args.path.resolve():
        return _fail("utfilen får inte vara samma fil som analysfilen.")
    with open_readonly(args.path) as doc:
        try:
            out = catalogue_update.export_package(RsaService(doc), args.out, version=args.package_version or "",
                                                  name=args.name or "")
        except catalogue_update.CatalogueError as exc:
            return _fail(str(exc))
    print(f"Katalogpaketet är skrivet till {out}")
    return 0


def cmd_catalogue_import(args) -> int:
    from rsa_desktop.services import catalogue_update, catalogues
    from rsa_desktop.services.rsa import RsaService
    from rsa_desktop.storage.backups import make_backup

    if (args.package is None) == (not args.program):
        return _fail("ange antingen ett katalogpaket eller --program.")
    try:
        package = catalogues.builtin_set() if args.program else catalogues.read_package(args.package)
    except catalogues.CatalogueError as exc:
        return _fail(str(exc))
    with open_readonly(args.path, readonly=args.dry_run) as doc:
        svc = RsaService(doc)
        catalogue_update.activate_for(svc)
        plan = catalogue_update.preview(svc, package)
        for line in plan.describe():
            print(line)
        if args.dry_run:
            print("Ingenting är ändrat (--dry-run).")
            return 0
        backup = make_backup(doc, "före-katalogpaket")
        try:
            catalogue_update.import_package(svc, package)
        except catalogue_update.CatalogueError as exc:
            return _fail(str(exc))
    print(f"Katalogversion {package.version} används nu i {args.path}: {len(plan.mapped)} värden har fått ny "
          f"benämning, {len(plan.review)} objekt är markerade att granska. Säkerhetskopia: {backup.path}")
    return 0


def open_readonly(path: Path, *, readonly: bool = True):
    """Open a document for reading (or with readonly=False for writing); a protected file takes its
    passphrase from RSA_DESKTOP_PASSPHRASE or, at a terminal, from a prompt (never from the command line,
    where others could see it)."""
    from rsa_desktop.storage import crypto
    from rsa_desktop.storage.database import Document

    passphrase = None
    if crypto.is_encrypted(path):
        passphrase = os.environ.get("RSA_DESKTOP_PASSPHRASE")
        if passphrase is None and sys.stdin is not None and sys.stdin.isatty():
            import getpass

            passphrase = getpass.getpass(f"Lösenfras för {path.name}: ")
    return Document.open(path, readonly=readonly, passphrase=passphrase)


def _fail(message: str) -> int:
    print(f"rsa-desktop: {message}", file=sys.stderr)
    return 2


def cmd_demo(args) -> int:
    from rsa_desktop.services.demo import write_demo
    from rsa_desktop.storage.database import discard_orphan_journals, orphan_notice

    removed = discard_orphan_journals(args.path)  # a stale x.rsa-wal must not spoil the new x.rsa
    path = write_demo(args.path, args.size, overwrite=args.force)
    if removed:
        print(orphan_notice(removed))
    print(f"Exempelanalys skriven till {path}")
    return 0


def cmd_info(args) -> int:
    from rsa_desktop.domain.kinds import KINDS, year_state
    from rsa_desktop.services.rsa import RsaService

    with open_readonly(args.path) as doc:
        svc = RsaService(doc)
        org = svc.organisation()
        analyses = svc.analyses()
        print(f"Fil: {args.path}")
        if org is not None:
            kind = KINDS["organisation"].field("org_type").choice_label(org.org_type)
            print(f"Organisation: {org.name} ({kind})" + (f", {org.committee}" if org.committee else ""))
        states = {a.id: year_state(a.status, bool(a.get("archived"))) for a in analyses}
        print("År: " + (", ".join(f"{a.year} ({states[a.id]})" for a in analyses) or "inga"))
        for a in analyses:
            counts = svc.counts(a.id)
            print(f"\n{a.year} ({states[a.id]})")
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
        from rsa_desktop.services.catalogue_update import activate_for
        activate_for(svc)  # the file's catalogue package, if it holds one
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
    from rsa_desktop.domain.public import REVIEW_REQUIRED_MESSAGE
    from rsa_desktop.reports.atomic import ExportError
    from rsa_desktop.reports.common import gather, review_required
    from rsa_desktop.services.rsa import RsaService

    if args.xlsx is None and args.pdf is None and args.docx is None:
        return _fail("ange minst en utfil med --xlsx, --pdf eller --docx.")
    outputs = [p for p in (args.xlsx, args.pdf, args.docx) if p is not None]
    if args.xlsx is not None and args.pdf is not None and args.xlsx.resolve() == args.pdf.resolve():
        return _fail("Excel- och PDF-filen måste ha olika namn.")
    if len({p.resolve() for p in outputs}) < len(outputs):
        return _fail("utfilerna måste ha olika namn.")
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
        from rsa_desktop.services.catalogue_update import activate_for
        activate_for(svc)  # glossary and report headings of the file's catalogue package
        if args.public and not args.reviewed and review_required(svc, analysis.id):
            _fail(REVIEW_REQUIRED_MESSAGE)
            return 1
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
            if args.docx is not None:
                from rsa_desktop.reports.docx import write_docx

                write_docx(data, args.docx, svc=svc)
                print(f"Word för {analysis.year}{what} skriven till {args.docx}")
        except ExportError as exc:
            return _fail(str(exc))
    return 0


def cmd_carry_forward(args) -> int:
    from rsa_desktop.services.carry import carry_forward
    from rsa_desktop.services.errors import ValidationError
    from rsa_desktop.services.rsa import RsaService

    with open_readonly(args.path, readonly=False) as doc:
        svc = RsaService(doc)
        prev = svc.analysis_for_year(args.from_year)
        if prev is None:
            return _fail(f"det finns ingen analys för {args.from_year} i filen.")
        try:
            new = carry_forward(svc, prev.id, args.to_year)
        except ValidationError as exc:
            return _fail(str(exc))
        counts = svc.counts(new.id)
        print(f"Analysen för {new.year} är skapad från {prev.year}: {counts['function']} verksamheter, "
              f"{counts['dependency']} beroenden, {counts['risk']} risker och {counts['action']} öppna åtgärder. "
              f"Allt är markerat att granska; {prev.year} är arkiverad.")
    return 0


def cmd_import_xlsx(args) -> int:
    from rsa_desktop.services.rsa import RsaService
    from rsa_desktop.services.xlsx_import import (
        ImportRefusedError,
        apply_import,
        import_as_new,
        plan_import,
        read_workbook,
    )
    from rsa_desktop.storage.database import Document

    if args.new_year is not None and args.year is not None:
        return _fail("ange antingen --year eller --new-year.")
    parsed = read_workbook(args.xlsx)

    def show(plan) -> None:
        for p in plan.problems:
            print(p, file=sys.stderr if p.severity == "fel" else sys.stdout)
        for c in plan.changes_applied(args.only_valid):
            print(f"  {c}")
        kept = plan.kept
        if kept:  # rows deleted in Excel are not deleted from the analysis unless asked: say so
            print(f"{len(kept)} rader finns i analysen men saknas i arbetsboken. De behålls (tas inte bort):")
            for c in kept:
                print(f"  {c}")
            print("Kör igen med --delete-missing för att ta bort dem (i programmet: kryssrutan ”Ta bort det som "
                  "saknas i arbetsboken” i förhandsvisningen).")

    if args.new_year is not None:
        doc = Document.create(args.path) if not args.path.exists() else open_readonly(args.path, readonly=False)
        with doc:
            try:
                result = import_as_new(RsaService(doc), parsed, args.new_year, only_valid=args.only_valid,
                                       dry_run=args.dry_run)
            except ImportRefusedError as exc:
                if exc.plan is not None:
                    show(exc.plan)
                print(f"rsa-desktop: {exc}", file=sys.stderr)
                return 1 if exc.plan is not None else 2
            for p in result.plan.problems:
                print(p)
            verb = "skulle skapas" if args.dry_run else "är skapad"
            print(f"Analysen för {result.analysis.year} {verb} från {args.xlsx.name}"
                  + (f" ({result.skipped_rows} rader med fel hoppades över)." if result.skipped_rows else "."))
        return 0
    with open_readonly(args.path, readonly=args.dry_run) as doc:
        svc = RsaService(doc)
        year = args.year if args.year is not None else parsed.year
        analysis = svc.analysis_for_year(year) if year is not None else None
        if analysis is None:
            return _fail(f"filen har ingen analys för {year}; ange --year, eller --new-year för en ny analys.")
        plan = plan_import(svc, analysis.id, parsed, delete_missing=args.delete_missing,
                           other_organisation=args.other_organisation)
        show(plan)
        if plan.blocking:  # not one row's error: --only-valid cannot skip it, so do not suggest it
            print(f"rsa-desktop: ingenting lästes in: {plan.blocking[0].message}"
                  + (" Felet gäller inte en enskild rad, så --only-valid kan inte hoppa över det." if args.only_valid
                     else ""), file=sys.stderr)
            return 1
        if plan.errors and not args.only_valid:
            print(f"rsa-desktop: ingenting lästes in: {len(plan.errors)} fel (rätta dem, eller använd --only-valid).",
                  file=sys.stderr)
            return 1
        n = len(plan.changes_applied(args.only_valid))
        if args.dry_run:
            print(f"{n} ändringar skulle läsas in i analysen för {analysis.year} (inget är ändrat).")
            return 0
        try:
            result = apply_import(svc, analysis.id, plan, only_valid=args.only_valid)
        except ImportRefusedError as exc:
            print(f"rsa-desktop: {exc}", file=sys.stderr)
            return 1
        print(f"{result.applied} ändringar inlästa i analysen för {analysis.year}"
              + (f", {result.skipped_rows} rader med fel hoppades över" if result.skipped_rows else "")
              + f". Säkerhetskopia: {result.backup}")
    return 0


def cmd_consolidate(args) -> int:
    from rsa_desktop.reports.atomic import ExportError
    from rsa_desktop.services.consolidate import consolidate, expand_inputs

    outputs = [p for p in (args.out, args.pdf) if p is not None]
    if args.pdf is not None and args.pdf.resolve() == args.out.resolve():
        return _fail("Excel- och PDF-filen måste ha olika namn.")
    inputs = expand_inputs(args.inputs)
    if any(p.resolve() == o.resolve() for p in inputs for o in outputs):
        return _fail("en utfil får inte vara en av inlämningarna.")
    from rsa_desktop.domain.kinds import SECURITY_CLASSES

    if args.security_class and args.security_class not in dict(SECURITY_CLASSES):
        return _fail(f"okänd säkerhetsskyddsklass: {args.security_class} "
                     f"(välj {', '.join(c for c, _ in SECURITY_CLASSES)}).")
    if args.public and (args.security_class or args.secrecy):
        return _fail("ett öppet utdrag har ingen sekretessmarkering: ange inte --security-class/--secrecy med --public.")
    result = consolidate(inputs, year=args.year, public=args.public, security_class=args.security_class,
                         secrecy=args.secrecy)
    for e in result.errors:
        print(f"{e.path}: kunde inte läsas: {e.reason}", file=sys.stderr)
    if not result.included:
        return _fail("ingen av inlämningarna kunde användas.")
    n = result.counts()
    try:
        from rsa_desktop.reports.consolidated import write_pdf, write_xlsx

        write_xlsx(result, args.out)
        print(f"Sammanställningen för {result.year} skriven till {args.out}")
        if args.pdf is not None:
            write_pdf(result, args.pdf)
            print(f"PDF skriven till {args.pdf}")
    except ExportError as exc:
        return _fail(str(exc))
    print(f"{n['submissions']} inlämningar ingår, {n['listed'] - n['submissions']} ingår inte, {n['errors']} "
          f"kunde inte läsas, {n['missing']} organisationer saknas; {n['shared']} förvaltningsgemensamma beroenden.")
    return 0


def main(argv: list[str] | None = None) -> int:
    from rsa_desktop.storage import private

    private.restrict_process()  # every file the program writes 0600, every folder 0700 (docs/security.md)
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--selftest"]:  # headless installation check, also in the frozen build
        from rsa_desktop.selftest import run_selftest

        return run_selftest()
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
        return {"demo": cmd_demo, "info": cmd_info, "check": cmd_check, "export": cmd_export,
                "carry-forward": cmd_carry_forward, "import-xlsx": cmd_import_xlsx,
                "consolidate": cmd_consolidate, "catalogue-export": cmd_catalogue_export,
                "catalogue-import": cmd_catalogue_import}[args.command](args)
    except DocumentError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("avbrutet.")
    except BrokenPipeError:
        # The reader went away (`rsa-desktop info X | head`): stop quietly, like other command-line tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Swedish everywhere: Qt's own translations for standard dialogs, sv_SE locale, translate helpers.

Source strings in this program are Swedish; they still go through Qt's translation mechanism
(`self.tr()`, `QCoreApplication.translate`) so that a .qm file can override them later.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

SWEDISH = QLocale(QLocale.Language.Swedish, QLocale.Country.Sweden)
_installed: list[QTranslator] = []


def install_translations(app: QCoreApplication) -> bool:
    """Install qtbase_sv (Ja/Nej, Avbryt ...) and make sv_SE the default locale. Returns success."""
    QLocale.setDefault(SWEDISH)
    if _installed:
        return True
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ok = False
    for name in ("qtbase_sv", "qt_sv"):
        tr = QTranslator(app)
        if tr.load(name, folder):
            app.installTranslator(tr)
            _installed.append(tr)
            ok = True
            break
    return ok


def tr(text: str, context: str = "RSA") -> str:
    """Translate a Swedish source string outside a QObject (e.g. labels from the field registry)."""
    return QCoreApplication.translate(context, text)


def kind_label(kind_spec) -> str:
    return QCoreApplication.translate("kinds", kind_spec.label)


def field_label(field_spec) -> str:
    return QCoreApplication.translate("kinds", field_spec.label)


def field_help(field_spec) -> str:
    return QCoreApplication.translate("kinds", field_spec.help) if field_spec.help else ""


_help_texts: dict[str, str] | None = None


def help_texts() -> dict[str, str]:
    """Plain-Swedish explanations of fields without a FieldSpec.help: resources/help/fields.json."""
    global _help_texts
    if _help_texts is None:
        import json

        from rsa_desktop import paths
        try:
            data = json.loads(paths.resource("help", "fields.json").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            data = {}
        _help_texts = {k: str(v) for k, v in data.items() if isinstance(data, dict) and not k.startswith("_")}
    return _help_texts


def help_text(kind: str, field_spec) -> str:
    """Tooltip and what's-this text of a field: FieldSpec.help where present, else resources/help/fields.json."""
    if field_spec.help:
        return field_help(field_spec)
    text = help_texts().get(f"{kind}.{field_spec.name}", "")
    return QCoreApplication.translate("help", text) if text else ""

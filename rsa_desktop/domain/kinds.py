"""THE item kinds' registry: every kind's fields with Swedish labels, types, rules and choices, and the links.

One registry drives validation (services), the command line, the UI forms and the Excel columns,
so that a field is described once. It is pure: a kind names its table by `table_name` only, and
model/kinds.py maps the name to the SQLModel class. Its fields are columns of the kind's table
(model/entities.py) and fields of its typed item (domain/items.py); tests/test_items.py fails if the
three diverge.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rsa_desktop.domain.actions import ACTION_STATUS

# Field types: text (one line), longtext, int, bool, optbool (ja/nej/okänt), date, duration (minutes),
# likelihood / consequence / capability (a level on the analysis' scale), enum (fixed codes),
# catalog (suggestions from a catalogue, free text allowed), ref (an item id of `ref` kind).


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    type: str = "text"
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (code, Swedish label) for enums
    catalog: str = ""  # catalogue name for suggestions
    ref: str = ""  # kind referenced by a ref field
    minimum: int | None = None
    maximum: int | None = None
    help: str = ""

    def choice_label(self, code: str | None) -> str:
        return dict(self.choices).get(code or "", code or "")


@dataclass(frozen=True)
class KindSpec:
    kind: str
    table_name: str  # the SQL table that stores it (model/entities.py; model/kinds.py maps it to its class)
    label: str  # singular, Swedish
    plural: str
    prefix: str = ""  # human-ID prefix; empty for kinds without one
    parent: str = "analysis"  # the column holding the owner id
    title_field: str = "title"
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.kind}.{name}")

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


ORG_TYPES = (("facknamnd", "Facknämnd"), ("stadsdelsnamnd", "Stadsdelsnämnd"), ("bolag", "Bolag"),
             ("annan", "Annan"))
ANALYSIS_STATUS = (("utkast", "Utkast"), ("faststalld", "Fastställd"))


def year_state(status: str, archived: bool) -> str:
    """How a year is named everywhere (year lists, `info`): "utkast", "fastställd" or "arkiverad".

    The one rule for it: an archived year is read-only whatever its status, so "arkiverad" is said
    first; a fastställd year that was archived says both.
    """
    adopted = status == "faststalld"
    if archived:
        return "fastställd, arkiverad" if adopted else "arkiverad"
    return "fastställd" if adopted else "utkast"
SECURITY_CLASSES = (("begransat_hemlig", "Begränsat hemlig"), ("konfidentiell", "Konfidentiell"),
                    ("hemlig", "Hemlig"), ("kvalificerat_hemlig", "Kvalificerat hemlig"))
OPERATION = (("egen", "Egen regi"), ("extern", "Extern regi"))
UNCERTAINTY = (("lag", "Låg"), ("medel", "Medel"), ("hog", "Hög"))
VULNERABILITY_KINDS = (("sarbarhet", "Sårbarhet"), ("brist_krisberedskap", "Brist i krisberedskapen"))
PRIORITY = (("hog", "Hög"), ("medel", "Medel"), ("lag", "Låg"))
EXERCISE_TYPES = (("seminarieovning", "Seminarieövning"), ("larmovning", "Larmövning"),
                  ("ledningsovning", "Ledningsövning"), ("funktionsovning", "Funktionsövning"),
                  ("fullskaleovning", "Fullskaleövning"))
CONSEQUENCE_AGGREGATION = (("max", "Högsta dimensionen"), ("mean", "Medelvärde (avrundat uppåt)"))

F = FieldSpec

KINDS: dict[str, KindSpec] = {}


def _register(spec: KindSpec) -> KindSpec:
    KINDS[spec.kind] = spec
    return spec


ORGANISATION = _register(KindSpec("organisation", "organisation", "Organisation", "Organisationer",
                                  parent="", title_field="name", fields=(
    F("name", "Namn", required=True, help="Förvaltningens eller bolagets namn."),
    F("org_type", "Typ", "enum", required=True, choices=ORG_TYPES),
    F("committee", "Nämnd eller styrelse", "catalog", catalog="city_organisations"),
    F("employees", "Antal anställda", "int", minimum=0, maximum=1_000_000),
    F("contact_person", "Kontaktperson"),
    F("security_coordinator", "Säkerhetssamordnare"),
)))

ANALYSIS = _register(KindSpec("analysis", "analysis", "Analys", "Analyser", parent="organisation_id",
                              title_field="year", fields=(
    F("year", "År", "int", required=True, minimum=2000, maximum=2200),
    F("status", "Status", "enum", required=True, choices=ANALYSIS_STATUS),
    F("adopted_date", "Fastställd datum", "date"),
    F("adopted_decision", "Beslut", help="Vem fastställde analysen, när och med vilket diarienummer."),
    F("assignment", "Uppdrag", "longtext"),
    F("delimitations", "Avgränsningar", "longtext"),
    F("method", "Arbetsprocess och metod", "longtext"),
    F("business_description", "Verksamhetsbeskrivning", "longtext"),
    F("locations", "Lokaler och geografiskt område", "longtext"),
    F("summary", "Sammanfattning", "longtext"),
    F("secrecy_marking", "Sekretessmarkering",
      help="T.ex. ”Sekretess enligt 18 kap. 13 § OSL”, med datum och beslut. Lämna tomt om inget beslut finns."),
    F("security_class", "Säkerhetsskyddsklass", "enum", choices=SECURITY_CLASSES),
    F("consequence_aggregation", "Sammanvägd konsekvens", "enum", required=True, choices=CONSEQUENCE_AGGREGATION),
    F("unacceptable_level", "Oacceptabel konsekvensnivå", "consequence", required=True),
    F("report_deadline", "Stadens sista dag för inlämning", "date",
      help="Datumet då kommunstyrelsen vill ha årets RSA. Visas i Översikt med de nationella datumen."),
)))

PARTICIPANT = _register(KindSpec("participant", "participant", "Deltagare", "Arbetsgrupp",
                                 title_field="name", parent="analysis_id", fields=(
    F("name", "Namn", required=True),
    F("role", "Roll"),
    F("unit", "Enhet"),
)))

FUNCTION = _register(KindSpec("function", "function", "Verksamhet", "Verksamheter", "V",
                              parent="analysis_id", title_field="name", fields=(
    F("name", "Namn", required=True),
    F("description", "Beskrivning", "longtext"),
    F("msb_sector", "Samhällssektor (MSB)", "catalog", catalog="msb_sectors",
      help="Vilket område av samhället verksamheten hör till, t.ex. socialtjänst eller finansiella tjänster. "
           "Används när staden sammanställer alla analyser; välj det som passar bäst."),
    F("preparedness_sector", "Beredskapssektor", "catalog", catalog="preparedness_sectors",
      help="Den statliga beredskapssektor (enligt beredskapsförordningen) som verksamheten stödjer. Lämna tomt "
           "om ingen passar."),
    F("is_critical", "Samhällsviktig", "bool",
      help="Samhällsviktig verksamhet (MSBFS 2015:5): ett bortfall kan ensamt eller tillsammans med andra händelser "
           "snabbt leda till en allvarlig kris, eller verksamheten behövs för att hantera en kris. MSB:s metod "
           "(2023): verksamhet, tjänst eller infrastruktur som upprätthåller eller säkerställer samhällsfunktioner "
           "som är nödvändiga för samhällets grundläggande behov, värden eller säkerhet."),
    F("critical_motivation", "Motivering", "longtext"),
    F("criticality_life_health", "Kritikalitet för liv och hälsa", "consequence"),
    F("criticality_functionality", "Kritikalitet för stadens funktionalitet", "consequence"),
    F("max_tolerable_downtime", "Acceptabel avbrottstid", "duration",
      help="Hur länge verksamheten längst får vara nere innan konsekvenserna blir oacceptabla."),
    F("mtd_motivation", "Motivering av avbrottstid", "longtext"),
    F("minimum_level", "Lägsta acceptabla nivå", "longtext",
      help="Den lägsta nivå verksamheten måste hålla även under en störning."),
    F("rto", "Återställningstid", "duration",
      help="Hur snabbt verksamheten ska vara igång igen; ska vara kortare än acceptabel avbrottstid."),
    F("operation", "Regi", "enum", required=True, choices=OPERATION),
    F("supplier", "Leverantör"),
    F("contract", "Avtal"),
    F("continuity_in_contract", "Kontinuitetskrav i avtalet", "optbool"),
    F("styrel_class", "Styrelklass", "int", minimum=1, maximum=8),
    F("owner", "Ansvarig"),
    F("secret", "Sekretess", "bool", help="Markerade uppgifter tas inte med i ett öppet utdrag."),
)))

DEPENDENCY = _register(KindSpec("dependency", "dependency", "Beroende", "Beroenden", "B",
                                parent="analysis_id", title_field="name", fields=(
    F("dep_type", "Typ", "catalog", required=True, catalog="dependency_types"),
    F("name", "Namn", required=True),
    F("description", "Beskrivning", "longtext"),
    F("provider", "Leverantör", "catalog", catalog="city_organisations"),
    F("provider_org", "Stadens organisation", "catalog", catalog="city_organisations"),
    F("is_external", "Extern (utanför staden)", "bool"),
    F("single_point_of_failure", "Enda felpunkt", "bool"),
    F("expected_outage", "Förväntad avbrottstid", "duration",
      help="Hur lång tid det troligen tar innan beroendet fungerar igen efter ett bortfall."),
    F("has_reserve", "Reserv finns", "bool"),
    F("reserve_description", "Reserv / plan B", "longtext"),
    F("reserve_duration", "Reservens uthållighet", "duration"),
    F("secret", "Sekretess", "bool"),
)))

RISK = _register(KindSpec("risk", "risk", "Risk", "Risker", "R", parent="analysis_id", fields=(
    F("title", "Rubrik", required=True),
    F("description", "Beskrivning", "longtext"),
    F("category", "Kategori", "catalog", catalog="scenario_categories"),
    F("scenario", "Scenario", "catalog", catalog="scenarios"),
    F("likelihood", "Sannolikhet", "likelihood"),
    F("motivation", "Motivering", "longtext"),
    F("uncertainty", "Osäkerhet", "enum", choices=UNCERTAINTY),
    F("existing_measures", "Befintliga åtgärder", "longtext"),
    F("residual_likelihood", "Sannolikhet efter åtgärder", "likelihood"),
    F("residual_consequence", "Konsekvens efter åtgärder", "consequence"),
    F("secret", "Sekretess", "bool"),
)))

VULNERABILITY = _register(KindSpec("vulnerability", "vulnerability", "Sårbarhet", "Sårbarheter", "S",
                                   parent="analysis_id", fields=(
    F("title", "Rubrik", required=True),
    F("description", "Beskrivning", "longtext"),
    F("vuln_type", "Typ", "enum", required=True, choices=VULNERABILITY_KINDS),
    F("secret", "Sekretess", "bool"),
)))

CAPABILITY = _register(KindSpec("capability", "capability", "Förmåga", "Förmågebedömningar", "F",
                                parent="analysis_id", title_field="area", fields=(
    F("area", "Område", "catalog", required=True, catalog="capability_areas"),
    F("rating", "Bedömning", "capability"),
    F("motivation", "Motivering", "longtext"),
    F("secret", "Sekretess", "bool"),
)))

ACTION = _register(KindSpec("action", "action", "Åtgärd", "Åtgärder", "Å", parent="analysis_id", fields=(
    F("title", "Rubrik", required=True),
    F("description", "Beskrivning", "longtext"),
    F("owner", "Ansvarig"),
    F("deadline", "Klart senast", "date"),
    F("status", "Status", "enum", required=True, choices=ACTION_STATUS),
    F("priority", "Prioritet", "enum", required=True, choices=PRIORITY),
    F("follow_up_note", "Uppföljning", "longtext"),
    F("secret", "Sekretess", "bool"),
)))

CONTINUITY_PLAN = _register(KindSpec("continuity_plan", "continuity_plan", "Kontinuitetsplan",
                                     "Kontinuitetsplaner", "K", parent="analysis_id", fields=(
    F("title", "Rubrik", required=True),
    F("function_id", "Verksamhet", "ref", ref="function"),
    F("scope", "Omfattning", "longtext"),
    F("responsible", "Ansvarig"),
    F("minimum_level", "Lägsta acceptabla nivå", "longtext"),
    F("activation_criteria", "Aktiveringskriterier", "longtext"),
    F("recovery_order", "Återstart och prioritetsordning", "longtext"),
    F("resources", "Resurser", "longtext"),
    F("last_exercised", "Senast övad", "date"),
    F("next_exercise", "Nästa övning", "date"),
    F("last_revised", "Senast reviderad", "date"),
    F("secret", "Sekretess", "bool"),
)))

FALLBACK = _register(KindSpec("fallback", "fallback_procedure", "Reservrutin", "Reservrutiner",
                              parent="plan_id", title_field="procedure", fields=(
    F("dependency_id", "Beroende", "ref", ref="dependency"),
    F("procedure", "Reservrutin", "longtext", required=True),
    F("duration", "Uthållighet", "duration"),
    F("responsible", "Ansvarig"),
)))

CONTACT = _register(KindSpec("contact", "plan_contact", "Kontakt", "Kontakter", parent="plan_id",
                             title_field="name", fields=(
    F("name", "Namn", required=True),
    F("role", "Roll"),
    F("phone", "Telefon"),
    F("alternate", "Ersättare"),
)))

EXERCISE = _register(KindSpec("exercise", "exercise", "Övning", "Övningar", "Ö", parent="analysis_id", fields=(
    F("title", "Rubrik", required=True),
    F("date", "Datum", "date"),
    F("exercise_type", "Typ av övning", "enum", choices=EXERCISE_TYPES),
    F("scenario", "Scenario", "longtext"),
    F("participants", "Deltagare", "longtext"),
    F("success_criteria", "Framgångskriterier", "longtext"),
    F("lessons", "Lärdomar", "longtext"),
    F("plan_id", "Kontinuitetsplan", "ref", ref="continuity_plan"),
    F("secret", "Sekretess", "bool"),
)))

# Items with a human ID, in the order of the workflow.
ITEM_KINDS = ("function", "dependency", "risk", "vulnerability", "capability", "action",
              "continuity_plan", "exercise")
CHILD_KINDS = {"participant": "analysis", "fallback": "continuity_plan", "contact": "continuity_plan"}


@dataclass(frozen=True)
class LinkSpec:
    name: str
    table_name: str  # the SQL table that stores the link
    left: str  # kind
    left_col: str
    right: str
    right_col: str
    label: str
    fields: tuple[FieldSpec, ...] = ()


LINKS: dict[str, LinkSpec] = {s.name: s for s in (
    LinkSpec("function_dependency", "function_dependency", "function", "function_id", "dependency",
             "dependency_id", "Verksamhet–beroende", (
                 F("tolerance", "Tolerans", "duration",
                   help="Hur länge verksamheten klarar sig utan beroendet."),
                 F("note", "Kommentar"))),
    LinkSpec("dependency_dependency", "dependency_dependency", "dependency", "dependency_id", "dependency",
             "depends_on_id", "Beroende–underliggande beroende"),
    LinkSpec("risk_function", "risk_function", "risk", "risk_id", "function", "function_id", "Risk–verksamhet"),
    LinkSpec("risk_dependency", "risk_dependency", "risk", "risk_id", "dependency", "dependency_id",
             "Risk–beroende"),
    LinkSpec("action_risk", "action_risk", "action", "action_id", "risk", "risk_id", "Åtgärd–risk"),
    LinkSpec("action_dependency", "action_dependency", "action", "action_id", "dependency", "dependency_id",
             "Åtgärd–beroende"),
    LinkSpec("action_function", "action_function", "action", "action_id", "function", "function_id",
             "Åtgärd–verksamhet"),
    LinkSpec("action_vulnerability", "action_vulnerability", "action", "action_id", "vulnerability",
             "vulnerability_id", "Åtgärd–sårbarhet"),
    LinkSpec("exercise_action", "exercise_action", "exercise", "exercise_id", "action", "action_id",
             "Övning–åtgärd"),
)}

"""Impact over time → a proposed acceptabel avbrottstid, confirmed or overridden by the user (Qt-free).

For each function the user rates the consequence of being down for each time horizon of the
analysis' scale. The proposal is the last horizon *before* the consequence reaches the analysis'
unacceptable level (`Analysis.unacceptable_level`). The user confirms it, or sets another value with
a motivation (`Function.mtd_motivation`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rsa_desktop.domain.durations import DurationError, format_duration, parse_duration
from rsa_desktop.services.errors import FieldError, ValidationError
from rsa_desktop.services.records import Change
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.services.scales import Scales


@dataclass(frozen=True)
class Proposal:
    minutes: int | None  # None: no basis for a proposal (nothing rated, or unacceptable already at once)
    horizon_label: str  # the proposed horizon's label, "" without a proposal
    reason: str  # plain Swedish: why this value
    horizon_id: int | None = None
    reaches_unacceptable: bool = False  # the consequence reaches the unacceptable level within the horizons
    missing: tuple[str, ...] = ()  # labels of horizons without a rating that the proposal had to skip


def propose_mtd(scales: Scales, impacts: dict[int, int]) -> Proposal:
    """Propose the acceptabel avbrottstid from the ratings per horizon (horizon id → consequence level)."""
    limit = scales.unacceptable_level
    limit_text = f"nivå {limit}" + (f" ({scales.consequence_label(limit)})" if scales.consequence_label(limit) else "")
    horizons = sorted(scales.horizons, key=lambda h: h.minutes)
    if not horizons:
        return Proposal(None, "", "Skalan har inga tidshorisonter; lägg till tidshorisonter för att få ett förslag.")
    rated = [h for h in horizons if impacts.get(h.id) is not None]
    if not rated:
        return Proposal(None, "", "Bedöm konsekvensen för varje tidshorisont för att få ett förslag på "
                                  "acceptabel avbrottstid.", missing=tuple(h.label for h in horizons))
    last_ok = None
    missing: list[str] = []
    for h in horizons:
        level = impacts.get(h.id)
        if level is None:
            missing.append(h.label)
            continue
        if level >= limit:
            skipped = f" Konsekvensen är inte bedömd för {', '.join(missing)}." if missing else ""
            if last_ok is None:
                return Proposal(None, "", f"Redan vid {h.label} når konsekvensen {limit_text}, som är oacceptabel. "
                                          f"Acceptabel avbrottstid är alltså kortare än {h.label}; ange den själv "
                                          f"och motivera.{skipped}", None, True, tuple(missing))
            return Proposal(last_ok.minutes, last_ok.label,
                            f"Konsekvensen når {limit_text} vid {h.label} (nivå {level}), som är oacceptabel. "
                            f"Den sista tidshorisonten före dess är {last_ok.label}.{skipped}",
                            last_ok.id, True, tuple(missing))
        last_ok = h
    longest = horizons[-1]
    if missing:
        return Proposal(last_ok.minutes, last_ok.label,
                        f"Konsekvensen når inte {limit_text} inom de bedömda tidshorisonterna; den längsta bedömda är "
                        f"{last_ok.label}. Konsekvensen är inte bedömd för {', '.join(missing)}.",
                        last_ok.id, False, tuple(missing))
    return Proposal(longest.minutes, longest.label,
                    f"Konsekvensen når inte {limit_text} ens vid den längsta tidshorisonten ({longest.label}). "
                    f"Acceptabel avbrottstid är minst {longest.label}.", longest.id, False, ())


def proposal_for(svc: RsaService, function_id: int) -> Proposal:
    """The proposal for a stored function, from its stored ratings."""
    f = svc.get("function", function_id)
    return propose_mtd(svc.scales(f.analysis_id), svc.impacts(function_id))


def confirm_mtd(svc: RsaService, function_id: int, minutes: int | str | None, motivation: str = "") -> Change:
    """Store the acceptabel avbrottstid. A value that differs from the proposal needs a motivation.

    `minutes` may also be written the Swedish way ("4 h", "3 dygn"). Confirming the proposal stores the
    motivation as given (usually empty), so an earlier override's reason does not linger.
    """
    label = "Acceptabel avbrottstid"
    try:
        value = parse_duration(minutes)
    except DurationError as exc:
        raise ValidationError([FieldError("max_tolerable_downtime", label, str(exc))]) from None
    proposal = proposal_for(svc, function_id)
    motivation = (motivation or "").strip()
    if value != proposal.minutes and not motivation:
        if proposal.minutes is None:
            why = "det finns inget förslag att bekräfta, så värdet behöver en motivering."
        else:
            why = (f"{format_duration(value) or 'inget värde'} skiljer sig från förslaget "
                   f"({format_duration(proposal.minutes)}); skriv varför.")
        raise ValidationError([FieldError("mtd_motivation", "Motivering av avbrottstid", why)])
    return svc.update("function", function_id, max_tolerable_downtime=value, mtd_motivation=motivation)


def mtd_needs_motivation(svc: RsaService, function_id: int) -> bool:
    """True when the stored value differs from the proposal and no motivation is written (for checks)."""
    f = svc.get("function", function_id)
    if f.max_tolerable_downtime is None:
        return False
    p = proposal_for(svc, function_id)
    return p.minutes is not None and f.max_tolerable_downtime != p.minutes and not (f.mtd_motivation or "").strip()

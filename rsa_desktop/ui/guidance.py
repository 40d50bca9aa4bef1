"""Guidance per step, in plain Swedish: what to do here, why, and one example.

The texts are source strings for Qt's translation mechanism (QT_TRANSLATE_NOOP), translated where shown.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

CTX = "guidance"

STEP_TITLES = {
    "oversikt": QT_TRANSLATE_NOOP("guidance", "Översikt"),
    "uppdrag": QT_TRANSLATE_NOOP("guidance", "Uppdrag och avgränsning"),
    "verksamhet": QT_TRANSLATE_NOOP("guidance", "Verksamhet"),
    "samhallsviktig": QT_TRANSLATE_NOOP("guidance", "Samhällsviktig verksamhet"),
    "beroenden": QT_TRANSLATE_NOOP("guidance", "Kritiska beroenden"),
    "risker": QT_TRANSLATE_NOOP("guidance", "Risker"),
    "sarbarheter": QT_TRANSLATE_NOOP("guidance", "Sårbarheter och förmåga"),
    "atgarder": QT_TRANSLATE_NOOP("guidance", "Åtgärder"),
    "kontinuitet": QT_TRANSLATE_NOOP("guidance", "Kontinuitetsplaner"),
    "rapport": QT_TRANSLATE_NOOP("guidance", "Rapport"),
}

GUIDANCE = {
    "uppdrag": QT_TRANSLATE_NOOP("guidance",
        "<b>Vad:</b> Ramarna för årets analys: vem som gett uppdraget, vad som ingår och inte, vilka som deltar och "
        "hur ni arbetar. <b>Varför:</b> Föreskriften MSBFS 2015:5 (från MSB, som sedan 2026 heter Myndigheten för civilt "
        "försvar, MCF) kräver en beskrivning av arbetsprocess och metod, och tydliga "
        "avgränsningar gör analysen genomförbar för en liten förvaltning. RSA handlar om allvarliga störningar, kriser "
        "och höjd beredskap – inte om risker i den vanliga verksamheten, som hanteras i VoR (internkontrollen). "
        "<a href='ordlista:VoR'>Vad är skillnaden mot VoR?</a> "
        "<b>Gör så här:</b> Fyll i uppdrag, avgränsningar och metod, lista arbetsgruppen till höger, granska och "
        "bekräfta skalorna, och ta ställning till sekretess innan ni skriver detaljer om leverantörer och brister. "
        "<b>Exempel:</b> ”Analysen omfattar förvaltningens egna verksamheter. Upphandlade utförare ingår som beroenden.”"),
    "verksamhet": QT_TRANSLATE_NOOP("guidance",
        "<b>Vad:</b> En kort beskrivning av förvaltningen: vad den gör, för vem, hur många som arbetar där och i vilka "
        "lokaler. <b>Varför:</b> Det är första punkten i redovisningen till kommunstyrelsen och ramen för resten av "
        "analysen. <b>Gör så här:</b> Skriv så att en läsare på stadsledningskontoret förstår verksamheten utan "
        "förkunskaper. Sammanfattningen skriver ni sist – knappen Föreslå text ger ett utkast ur det ni fyllt i. "
        "<b>Exempel:</b> ”Förvaltningen ger stöd till cirka 9 000 invånare per år och har 60 medarbetare "
        "i två lokaler.”"),
    "samhallsviktig": QT_TRANSLATE_NOOP("guidance",
        "<b>Vad:</b> Förvaltningens verksamheter och åtaganden, och vilka av dem som är samhällsviktiga – där ett "
        "bortfall snabbt kan leda till en allvarlig kris, eller som behövs för att hantera en kris (MSBFS 2015:5). "
        "MSB:s metod från 2023 definierar den som verksamhet, tjänst eller infrastruktur som "
        "upprätthåller eller säkerställer samhällsfunktioner som är nödvändiga för samhällets grundläggande behov, "
        "värden eller säkerhet. <a href='ordlista:Samhällsviktig verksamhet'>Båda definitionerna</a> "
        "<b>Varför:</b> Allt annat i analysen utgår från de samhällsviktiga verksamheterna. <b>Gör så här:</b> Lista "
        "verksamheterna, markera de samhällsviktiga och motivera, bedöm kritikaliteten för liv och hälsa och för "
        "stadens funktionalitet, ange acceptabel avbrottstid (hur länge den längst får ligga nere) och lägsta "
        "acceptabla nivå, och om den drivs i egen eller extern regi. <b>Exempel:</b> ”Utbetalningar till enskilda” – "
        "acceptabel avbrottstid 3 dygn, lägsta nivå: akuta utbetalningar för mat och boende."),
    "beroenden": QT_TRANSLATE_NOOP("guidance",
        "<b>Vad:</b> Det som de samhällsviktiga verksamheterna behöver för att fungera: personal, lokaler, IT-system, "
        "el, leverantörer, andra förvaltningar. <b>Varför:</b> Ett kritiskt beroende som många verksamheter delar, "
        "eller som saknar reserv, är ofta den största sårbarheten. <b>Gör så här:</b> Ta en verksamhet i taget och "
        "fråga: vad behöver den? Koppla beroendet till verksamheterna, ange hur länge verksamheten klarar sig utan "
        "det (tolerans), hur länge ett avbrott troligen varar och om det finns en reserv. <b>Exempel:</b> "
        "”Verksamhetssystemet” – tolerans 1 dygn, reserv: manuella blanketter i 3 dygn."),
    "risker": QT_TRANSLATE_NOOP("guidance",
        "<b>Vad:</b> Händelser som kan slå ut eller störa verksamheten, bedömda efter sannolikhet och konsekvens. "
        "<b>Varför:</b> Riskmatrisen visar vilka risker som behöver åtgärder först. <b>Gör så här:</b> Utgå från "
        "scenariobiblioteket, bedöm sannolikhet och konsekvens per skyddsvärde, motivera kort och koppla risken till "
        "de verksamheter och beroenden den slår mot. Sannolikhet och konsekvens efter åtgärder visar restrisken. "
        "<b>Exempel:</b> ”Långvarigt elavbrott” – sannolikhet 3, konsekvens för samhällets funktionalitet 4."),
    "sarbarheter": QT_TRANSLATE_NOOP("guidance",
        "<b>Vad:</b> Sårbarheter och brister i krisberedskapen som analysen har visat, och förvaltningens förmåga "
        "att hantera en kris. <b>Varför:</b> Punkt 6 i redovisningen till kommunstyrelsen. <b>Gör så här:</b> "
        "Beskriv varje sårbarhet eller brist kort, och bedöm förmågan inom krisledning, larmvägar, uthållighet och "
        "övning – alltid med en motivering. <b>Exempel:</b> ”Bara en person kan göra utbetalningar i systemet” – "
        "sårbarhet; ”Krisledning: viss förmåga, planen är inte övad på två år.”"),
    "atgarder": QT_TRANSLATE_NOOP("guidance",
        "<b>Vad:</b> Det som ska göras för att minska riskerna och sårbarheterna. <b>Varför:</b> Säkerhetsprogrammet "
        "kräver att åtgärder följs upp och utvärderas, och höga risker ska ha en åtgärd. <b>Gör så här:</b> Skriv "
        "åtgärden med ansvarig, datum och prioritet, och koppla den till de risker, sårbarheter, verksamheter och "
        "beroenden den behandlar. Följ upp förra årets åtgärder och uppdatera status. <b>Exempel:</b> ”Utbilda en "
        "andra person i utbetalningar” – ansvarig: enhetschef, klart 2026-06-30."),
    "kontinuitet": QT_TRANSLATE_NOOP("guidance",
        "<b>Vad:</b> Planer för hur de samhällsviktiga verksamheterna hålls igång på en godtagbar nivå under en "
        "störning, och övningarna av dem. <b>Varför:</b> Planen är det som används när störningen väl inträffar, och "
        "en oövad plan fungerar sällan. <b>Gör så här:</b> Gör en plan per samhällsviktig verksamhet: när den "
        "aktiveras, lägsta nivå, reservrutin per kritiskt beroende och hur länge den räcker, roller och kontakter, "
        "återstart och när den senast övades. Registrera övningarna under fliken Övningar. <b>Exempel:</b> ”Om "
        "verksamhetssystemet är nere mer än 4 h: manuella utbetalningsblanketter, attest av två personer.”"),
    "rapport": QT_TRANSLATE_NOOP("guidance",
        "<b>Vad:</b> RSA-kontrollen av hela analysen, steg för steg. <b>Varför:</b> Kommunstyrelsen sammanställer "
        "alla förvaltningars analyser och behöver samma uppgifter från alla. <b>Gör så här:</b> Rätta alla fel "
        "(röda) och se över varningarna (gula); klicka på <i>Gå till</i> för att komma direkt till uppgiften. Tips "
        "(blå) är råd. När inga fel eller varningar återstår kan analysen fastställas (ändra status under Uppdrag "
        "och avgränsning). <b>Exempel:</b> ”R2: sannolikhet eller konsekvens är inte bedömd” – Gå till öppnar "
        "risken med fältet Sannolikhet markerat."),
}

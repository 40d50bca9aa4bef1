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
        "<b>Gör så här:</b> Skriv vem som har gett uppdraget, vad analysen ska omfatta och vad den inte tar upp. "
        "Lista arbetsgruppen och beskriv hur ni arbetar (workshoppar, intervjuer, underlag). Ta ställning till "
        "sekretess innan ni fyller i detaljer om leverantörer och brister. "
        "<b>Varför:</b> MSB:s föreskrift kräver en beskrivning av arbetsprocess och metod, och tydliga avgränsningar "
        "gör analysen möjlig att genomföra för en liten förvaltning. "
        "<b>Exempel:</b> ”Analysen omfattar förvaltningens egna verksamheter. Gode männens eget arbete ingår inte.”"),
    "verksamhet": QT_TRANSLATE_NOOP("guidance",
        "<b>Gör så här:</b> Beskriv kort vad förvaltningen gör, för vem, hur många som arbetar där och i vilka "
        "lokaler. Skriv så att en läsare på stadsledningskontoret förstår verksamheten utan förkunskaper. "
        "<b>Varför:</b> Beskrivningen är första punkten i redovisningen till kommunstyrelsen och ramen för resten av "
        "analysen. <b>Exempel:</b> ”Förvaltningen utövar tillsyn över cirka 9 000 ställföreträdarskap och har "
        "60 medarbetare i en lokal på Kungsholmen.”"),
    "samhallsviktig": QT_TRANSLATE_NOOP("guidance",
        "<b>Gör så här:</b> Lista förvaltningens verksamheter och åtaganden. Markera vilka som är samhällsviktiga, "
        "bedöm hur kritiska de är för liv och hälsa och för stadens funktionalitet, och ange hur länge de längst får "
        "ligga nere (acceptabel avbrottstid) och vilken nivå som minst måste hållas. Ange om verksamheten bedrivs i "
        "egen eller extern regi. <b>Varför:</b> Allt annat i analysen utgår från de samhällsviktiga verksamheterna. "
        "<b>Exempel:</b> ”Utbetalningar till huvudmän” – acceptabel avbrottstid 3 dygn."),
    "beroenden": QT_TRANSLATE_NOOP("guidance",
        "<b>Gör så här:</b> Ta en samhällsviktig verksamhet i taget och fråga: vad behöver den för att fungera? "
        "Personal, lokaler, IT-system, el, leverantörer, andra förvaltningar. Koppla beroendet till de verksamheter "
        "det betjänar och ange hur länge verksamheten klarar sig utan det (tolerans), och om det finns en reserv. "
        "<b>Varför:</b> Ett beroende som många verksamheter delar är ofta den största sårbarheten. "
        "<b>Exempel:</b> ”Verksamhetssystemet för tillsyn” – tolerans 1 dygn, reserv: manuella blanketter i 3 dygn."),
    "risker": QT_TRANSLATE_NOOP("guidance",
        "<b>Gör så här:</b> Utgå från scenariobiblioteket och lägg till de händelser som kan drabba er. Bedöm "
        "sannolikhet och konsekvens per skyddsvärde och koppla risken till de verksamheter och beroenden den slår "
        "mot. Motivera bedömningen kort. <b>Varför:</b> Riskmatrisen visar vilka risker som behöver åtgärder först. "
        "<b>Exempel:</b> ”Långvarigt elavbrott” – sannolikhet 3, konsekvens för samhällets funktionalitet 4."),
    "sarbarheter": QT_TRANSLATE_NOOP("guidance",
        "<b>Gör så här:</b> Beskriv de sårbarheter och brister i krisberedskapen som analysen har visat, och bedöm "
        "förvaltningens förmåga inom krisledning, larmvägar, uthållighet och övning. Skriv alltid en motivering. "
        "<b>Varför:</b> Punkt 6 i redovisningen till kommunstyrelsen. <b>Exempel:</b> ”Bara en person kan göra "
        "utbetalningar i systemet” – sårbarhet; ”Krisledning: viss förmåga, planen är inte övad på två år.”"),
    "atgarder": QT_TRANSLATE_NOOP("guidance",
        "<b>Gör så här:</b> Skriv de åtgärder som behövs, med ansvarig, datum och prioritet, och koppla dem till de "
        "risker, sårbarheter, verksamheter och beroenden de behandlar. Följ upp förra årets åtgärder och uppdatera "
        "status. <b>Varför:</b> Säkerhetsprogrammet kräver att åtgärder följs upp och utvärderas. "
        "<b>Exempel:</b> ”Utbilda en andra person i utbetalningar” – ansvarig: enhetschef, klart 2026-06-30."),
    "kontinuitet": QT_TRANSLATE_NOOP("guidance",
        "<b>Gör så här:</b> Gör en kontinuitetsplan för varje samhällsviktig verksamhet: när planen aktiveras, "
        "lägsta nivå, reservrutin för varje kritiskt beroende och hur länge den räcker, roller och kontakter, "
        "återstart och när planen senast övades. Registrera övningarna under fliken Övningar. "
        "<b>Varför:</b> Planen är det som används när störningen väl inträffar. <b>Exempel:</b> ”Om "
        "verksamhetssystemet är nere mer än 4 h: manuella utbetalningsblanketter, attest av två personer.”"),
    "rapport": QT_TRANSLATE_NOOP("guidance",
        "<b>Gör så här:</b> Gå igenom listan över det som saknas. Klicka på en rad för att gå direkt till steget. "
        "När listan är tom är analysen komplett och kan fastställas (ändra status under Uppdrag och avgränsning). "
        "<b>Varför:</b> Kommunstyrelsen sammanställer alla förvaltningars analyser och behöver samma uppgifter från "
        "alla."),
}

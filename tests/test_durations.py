import pytest

from rsa_desktop.domain.durations import DurationError, format_duration, parse_duration


@pytest.mark.parametrize("text, minutes", [
    ("30 min", 30), ("4 h", 240), ("1 dygn", 1440), ("3 dygn", 4320), ("1 vecka", 10080), ("2 veckor", 20160),
    ("1 månad", 43200), ("1,5 h", 90), ("1 dygn 12 h", 2160), ("90", 90), (" 4 timmar ", 240), ("", None),
    (None, None), (45, 45),
])
def test_parse(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("bad", ["fyra timmar", "4 år", "4 h 3", "-2 h", "h"])
def test_parse_rejects_with_swedish_message(bad):
    with pytest.raises(DurationError) as exc:
        parse_duration(bad)
    assert any(w in str(exc.value) for w in ("Förstår inte", "Okänd tidsenhet", "Ange enhet"))


@pytest.mark.parametrize("minutes", [0, 30, 60, 90, 240, 1440, 2160, 4320, 10080, 20160, 43200, 100000])
def test_format_round_trips(minutes):
    assert parse_duration(format_duration(minutes)) == minutes


def test_format_prefers_natural_units():
    assert format_duration(1440) == "1 dygn"
    assert format_duration(10080) == "1 vecka"
    assert format_duration(90) == "1 h 30 min"
    assert format_duration(None) == ""

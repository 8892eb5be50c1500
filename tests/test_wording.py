"""Wording: dosage and dates as the plain words printed on paper."""

from __future__ import annotations

import datetime as dt
import locale
import os
import subprocess
import sys

import pytest

from handouts.model import Dosage
from handouts.wording import dosage_parts, dosage_text, long_date, position_text


@pytest.mark.parametrize("dosage, text", [
    (Dosage(sets=2, reps=10, hold=5, side="each", per_day=2), "2 sets of 10 · hold 5 seconds · each side · twice a day"),
    (Dosage(sets=1, reps=10), "1 set of 10"),
    (Dosage(sets=1, reps=1), "1 set of 1"),
    (Dosage(sets=3, reps=12), "3 sets of 12"),
    (Dosage(reps=10), "10 times"),
    (Dosage(reps=1), "1 time"),
    (Dosage(sets=3, hold=30), "3 times · hold 30 seconds"),
    (Dosage(sets=1, hold=30), "1 time · hold 30 seconds"),
    (Dosage(hold=1), "hold 1 second"),
    (Dosage(hold=60), "hold 1 minute"),
    (Dosage(hold=120), "hold 2 minutes"),
    (Dosage(hold=90), "hold 90 seconds"),
    (Dosage(hold=600), "hold 10 minutes"),
    (Dosage(sets=2, reps=10, rest=30), "2 sets of 10 · rest 30 seconds between sets"),
    (Dosage(sets=1, reps=10, rest=30), "1 set of 10 · rest 30 seconds"),
    (Dosage(reps=5, rest=60), "5 times · rest 1 minute"),
    (Dosage(per_day=1), "once a day"),
    (Dosage(per_day=2), "twice a day"),
    (Dosage(per_day=3), "3 times a day"),
    (Dosage(per_week=7), "every day"),
    (Dosage(per_day=2, per_week=7), "twice a day, every day"),
    (Dosage(per_day=1, per_week=5), "once a day · 5 days a week"),
    (Dosage(per_week=1), "1 day a week"),
    (Dosage(per_week=3), "3 days a week"),
    (Dosage(side="left"), "left side only"),
    (Dosage(side="right"), "right side only"),
    (Dosage(side="both"), "both sides together"),
    (Dosage(side="alternating"), "switch sides each time"),
    (Dosage(sets=2, reps=10, load="light band (yellow)"), "2 sets of 10 · light band (yellow)"),
    (Dosage(reps=15, load="2 lb weight", per_day=1), "15 times · 2 lb weight · once a day"),
    (Dosage(), ""),
])
def test_dosage_text(dosage, text):
    assert dosage_text(dosage) == text


def test_parts_order_is_fixed():
    d = Dosage(sets=2, reps=8, hold=3, rest=30, side="alternating", per_day=1, per_week=5, load="band")
    assert dosage_parts(d) == ["2 sets of 8", "hold 3 seconds", "switch sides each time", "band",
                               "rest 30 seconds between sets", "once a day", "5 days a week"]


def test_rest_zero_is_not_printed():
    assert dosage_text(Dosage(sets=2, reps=10, rest=0)) == "2 sets of 10"


@pytest.mark.parametrize("day, text", [
    (dt.date(2026, 11, 21), "November 21, 2026"),
    (dt.date(2027, 1, 1), "January 1, 2027"),
    (dt.date(2028, 2, 29), "February 29, 2028"),
    (dt.date(1999, 12, 31), "December 31, 1999"),
])
def test_long_date(day, text):
    assert long_date(day) == text


def test_long_date_independent_of_locale_in_process():
    previous = locale.setlocale(locale.LC_TIME)
    try:
        for name in ("de_DE.UTF-8", "fr_FR.UTF-8", "C.UTF-8", "C"):
            try:
                locale.setlocale(locale.LC_TIME, name)
            except locale.Error:
                continue
            assert long_date(dt.date(2026, 3, 5)) == "March 5, 2026"
    finally:
        locale.setlocale(locale.LC_TIME, previous)


def test_long_date_independent_of_locale_environment():
    code = "import datetime as d, locale; locale.setlocale(locale.LC_ALL, ''); " \
           "from handouts.wording import long_date; print(long_date(d.date(2026, 5, 3)))"
    for lang in ("de_DE.UTF-8", "tr_TR.UTF-8", "ja_JP.UTF-8", "C"):
        env = dict(os.environ, LANG=lang, LC_ALL=lang, TZ="Pacific/Kiritimati")
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        if out.returncode != 0 and "unsupported locale" in out.stderr:
            env.pop("LC_ALL")
            env["LANG"] = "C"
            out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "May 3, 2026"


@pytest.mark.parametrize("position, text", [
    ("lying on back", "Lying on your back"), ("lying on stomach", "Lying on your stomach"),
    ("side-lying", "Lying on your side"), ("hands and knees", "On hands and knees"),
    ("sitting", "Sitting"), ("standing", "Standing"),
])
def test_position_text(position, text):
    assert position_text(position) == text

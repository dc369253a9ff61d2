"""Highlights: the matching syllables in any accented or capital form, a window near the
first matches, bounded work whatever the body's length."""

from __future__ import annotations

import time

from isodoc.search.highlight import mark, snippet


def test_every_form_of_a_folded_word_is_marked_whole_syllables_only():
    marked = str(mark("ĐĂNG KÝ khai sinh, Đăng ký; dang ky; đăngký; khaisinh", {"dang", "ky"}))
    assert marked == ("<mark>ĐĂNG</mark> <mark>KÝ</mark> khai sinh, <mark>Đăng</mark> "
                      "<mark>ký</mark>; <mark>dang</mark> <mark>ky</mark>; đăngký; khaisinh")
    assert str(mark("<b>sinh</b> & ký", {"sinh"})) == \
        "&lt;b&gt;<mark>sinh</mark>&lt;/b&gt; &amp; ký"


def test_snippet_is_a_window_around_the_first_matches():
    filler = " ".join(["thủ tục hành chính"] * 200)
    body = f"{filler} Đăng ký khai sinh cho trẻ em. {filler} khai sinh lần hai."
    shown = str(snippet(body, {"khai", "sinh"}))
    assert shown.startswith("… ") and shown.endswith(" …")
    assert "chính Đăng ký <mark>khai</mark> <mark>sinh</mark> cho trẻ em." in shown
    assert "lần hai" not in shown
    assert len(shown.replace("<mark>", "").replace("</mark>", "").split()) == 32 + 2


def test_snippet_starts_a_few_syllables_before_the_first_match():
    body = ("Mục đích: " + " ".join(["thủ tục"] * 6) + " Đăng ký khai sinh, khai sinh "
            "lưu động. " + " ".join(["hồ sơ"] * 40))
    shown = str(snippet(body, {"khai", "sinh"}, size=8))
    assert shown == ("… thủ tục Đăng ký <mark>khai</mark> <mark>sinh</mark>, <mark>khai</mark> "
                     "<mark>sinh</mark> …")
    assert str(snippet("Khai sinh.", {"khai"}, size=8)) == "<mark>Khai</mark> sinh"


def test_snippet_without_a_match_is_the_beginning():
    body = "1. Mục đích. " + " ".join(["quy trình"] * 100)
    shown = str(snippet(body, {"khai"}, size=5))
    assert shown == "1. Mục đích. quy trình …"
    assert str(snippet("", {"khai"})) == "" and str(snippet("— …", {"khai"})) == ""


def test_a_long_body_costs_about_what_a_short_one_does():
    short = "Đăng ký khai sinh. " + " ".join(["thủ tục hành chính"] * 100)
    long = short + " ".join(["hồ sơ khai sinh"] * 100_000)
    for text in (short, long):
        snippet(text, {"khai", "sinh"})
    started = time.perf_counter()
    for _ in range(20):
        snippet(short, {"khai", "sinh"})
    short_s = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(20):
        snippet(long, {"khai", "sinh"})
    assert time.perf_counter() - started < 5 * short_s + 0.01

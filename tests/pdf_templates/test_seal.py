"""Seal geometry: no database."""

from pdf_templates.seal import NAME_MAX_SPREAD_DEG, name_layout, seal_svg, star_points


def test_it_draws_one_rotated_text_per_character_and_no_textpath():
    svg = seal_svg("通化市公安局", "数据共享审核专用章")
    assert "textPath" not in svg
    assert svg.count("<text ") == len("通化市公安局") + 1
    for char in "通化市公安局":
        assert f">{char}</text>" in svg
    assert svg.count('transform="rotate(') == len("通化市公安局")
    assert ">数据共享审核专用章</text>" in svg
    assert "<circle" in svg and "<polygon" in svg


def test_it_centres_the_name_on_the_top_of_the_arc():
    font, angles = name_layout("通化市公安局")
    assert len(angles) == 6
    assert angles[0] == -angles[-1]
    assert angles == sorted(angles)


def test_it_shrinks_long_names_to_stay_within_the_spread():
    short_font, _ = name_layout("通化市公安局")
    long_font, angles = name_layout("通化市政务服务和数字化建设管理局")
    assert long_font < short_font
    assert angles[-1] - angles[0] <= NAME_MAX_SPREAD_DEG + 0.01


def test_it_makes_a_five_pointed_star():
    points = star_points(100, 100, 30)
    assert len(points) == 10
    assert points[0] == (100.0, 70.0)


def test_it_escapes_markup_in_the_seal_text():
    assert "<b>" not in seal_svg("<b>局", "章")

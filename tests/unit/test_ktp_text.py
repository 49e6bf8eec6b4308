"""Reading a KTP's fields from OCR text boxes (pure: no OCR engine, no image)."""

from __future__ import annotations

import math
from datetime import date

import pytest

from dialogs.ktp import registered_in_city
from dialogs.ktp_text import (
    TextBox,
    choose_nik,
    nik_candidates,
    parse_ktp,
    read_birth,
    read_name,
    read_rt_rw,
    read_sex,
)
from nlu.entities import check_nik

LINE = 34  # px between printed rows


def box(x: float, y: float, text: str, *, height: float = 24, angle_deg: float = 0.0) -> TextBox:
    """A box as an OCR engine reports it, turned about the image origin by `angle_deg`."""
    width = 12 * len(text)
    corners = [(x, y), (x + width, y), (x + width, y + height), (x, y + height)]
    a = math.radians(angle_deg)
    turned = tuple(
        (px * math.cos(a) - py * math.sin(a), px * math.sin(a) + py * math.cos(a))
        for px, py in corners
    )
    return TextBox(text, turned)


def card_boxes(
    *,
    nik: str = ":3574044804905316",
    name: str = ": SITI AMINAH",
    birth: str = ": PROBOLINGGO, 08-04-1990",
    sex: str = ": PEREMPUAN",
    angle: float = 0.0,
    extra: tuple[TextBox, ...] = (),
) -> list[TextBox]:
    rows = [
        [(380, "PROVINSI JAWA TIMUR")],
        [(400, "KOTA PROBOLINGGO")],
        [(30, "NIK"), (240, nik)],
        [(30, "Nama"), (248, name)],
        [(30, "Tempat/Tgl Lahir"), (248, birth)],
        [(30, "Jenis Kelamin"), (248, sex), (500, "Gol. Darah"), (618, ": O")],
        [(30, "Alamat"), (248, ": JL. SOEKARNO HATTA NO. 12")],
        [(52, "RT/RW"), (248, ": 003/005")],
        [(52, "Kel/Desa"), (248, ": KETAPANG")],
        [(52, "Kecamatan"), (248, ": KADEMANGAN")],
        [(30, "Agama"), (248, ": ISLAM"), (800, "KOTA PROBOLINGGO")],
        [(30, "Status Perkawinan"), (248, ": KAWIN"), (830, "12-08-2016")],
    ]
    out = [
        box(x, 20 + i * LINE, text, angle_deg=angle)
        for i, row in enumerate(rows)
        for x, text in row
    ]
    return [*out, *extra]


def test_an_upright_card_gives_every_field() -> None:
    reading = parse_ktp(card_boxes())
    assert reading.nik == "3574044804905316"
    assert reading.name == "SITI AMINAH"
    assert (reading.birth_place, reading.birth_date) == ("PROBOLINGGO", date(1990, 4, 8))
    assert reading.female is True
    assert reading.address == "JL. SOEKARNO HATTA NO. 12"
    assert reading.rt_rw == "003/005"
    assert (reading.kelurahan, reading.kecamatan) == ("KETAPANG", "KADEMANGAN")
    assert (reading.province, reading.regency) == ("JAWA TIMUR", "KOTA PROBOLINGGO")


@pytest.mark.parametrize("angle", [-11.0, -4.0, 6.0, 12.0])
def test_a_turned_photo_still_pairs_labels_with_their_values(angle: float) -> None:
    reading = parse_ktp(card_boxes(angle=angle))
    assert reading.name == "SITI AMINAH"
    assert reading.nik == "3574044804905316"
    assert reading.kecamatan == "KADEMANGAN"


def test_box_order_from_the_engine_does_not_matter() -> None:
    boxes = card_boxes()
    assert parse_ktp(list(reversed(boxes))) == parse_ktp(boxes)


def test_label_and_value_read_as_one_box() -> None:
    boxes = [b for b in card_boxes() if b.text not in ("Nama", ": SITI AMINAH")]
    boxes.append(box(30, 20 + 3 * LINE, "Nama : SITI AMINAH"))
    assert parse_ktp(boxes).name == "SITI AMINAH"


def test_letters_read_in_the_nik_go_back_to_the_digits_they_look_like() -> None:
    reading = parse_ktp(card_boxes(nik=": 357404480490S3l6"))
    assert reading.nik == "3574044804905316"
    reading = parse_ktp(card_boxes(nik=": 3574O448O49O5316"))
    assert reading.nik == "3574044804905316"


def test_a_lost_or_doubled_digit_is_restored_from_the_printed_birth_date() -> None:
    # The date part (480490 = 8 April 1990, a woman) is printed again as the date of birth.
    assert parse_ktp(card_boxes(nik=":35740448049905316")).nik == "3574044804905316"
    assert parse_ktp(card_boxes(nik=":357404480405316")).nik == "3574044804905316"
    # Lost from the serial or the region, nothing on the card says which digit it was.
    assert parse_ktp(card_boxes(nik=":357404480490531")).nik == ""
    assert parse_ktp(card_boxes(nik=":357404804905316")).nik == ""


def test_a_nik_that_fits_two_ways_is_not_proposed() -> None:
    # 'B' may be 8 or 3 and the card says nothing more: the citizen types it.
    candidates = nik_candidates("357404480490531B")
    assert set(candidates) == {"3574044804905318", "3574044804905313"}
    assert choose_nik(candidates, date(1990, 4, 8), True, "KOTA PROBOLINGGO") == ""


def test_the_sex_decides_between_readings_of_the_date_part() -> None:
    # '4?' (a woman's day 08 + 40) or '0?': the printed PEREMPUAN settles it.
    candidates = {"3574040804905316": 0.5, "3574044804905316": 0.5}
    assert choose_nik(candidates, None, True, "") == "3574044804905316"
    assert choose_nik(candidates, None, False, "") == "3574040804905316"


def test_every_proposed_nik_passes_the_typed_nik_check() -> None:
    for text in [":3574A44804905316", "NIK 9999999999999999", ":0000000000000000", ":3574"]:
        reading = parse_ktp(card_boxes(nik=text))
        assert reading.nik == "" or check_nik(reading.nik).valid
    assert parse_ktp(card_boxes(nik=":9999999999999999")).nik == ""
    assert parse_ktp(card_boxes(nik=":9999999999999999")).nik_seen


def test_without_the_nik_label_the_digit_line_is_still_found() -> None:
    boxes = [b for b in card_boxes() if b.text != "NIK"]
    assert parse_ktp(boxes).nik == "3574044804905316"


def test_no_text_reads_nothing() -> None:
    reading = parse_ktp([])
    assert not reading.found_anything
    assert reading.nik == "" and not reading.nik_seen


def test_the_photo_column_does_not_leak_into_values() -> None:
    reading = parse_ktp(card_boxes())
    assert "PROBOLINGGO" not in reading.address
    assert reading.kecamatan == "KADEMANGAN"


def test_a_wrapped_address_is_joined() -> None:
    boxes = [b for b in card_boxes() if b.text not in ("RT/RW", ": 003/005")]
    # The address's second line sits where RT/RW was, under the value column.
    boxes.append(box(266, 20 + 7 * LINE, "GG. MAWAR II"))
    boxes.append(box(52, 20 + 7.6 * LINE, "RT/RW"))
    boxes.append(box(248, 20 + 7.6 * LINE, ": 003/005"))
    reading = parse_ktp(boxes)
    assert reading.address == "JL. SOEKARNO HATTA NO. 12 GG. MAWAR II"
    assert reading.rt_rw == "003/005"


def test_kota_probolinggo_places_snap_to_their_official_names() -> None:
    boxes = [
        b if b.text != ": KETAPANG" else box(248, 20 + 8 * LINE, ": KETAPAMG") for b in card_boxes()
    ]
    assert parse_ktp(boxes).kelurahan == "KETAPANG"


def test_birth_date_with_lookalikes_and_a_dot_for_the_comma() -> None:
    assert read_birth("SIDOARJO.08-O4-199O") == ("SIDOARJO", date(1990, 4, 8))
    assert read_birth("PROBOLINGGO, 31-02-1990") == ("PROBOLINGGO", None)  # no such day
    assert read_birth("PROBOLINGGO") == ("PROBOLINGGO", None)


def test_small_field_readers() -> None:
    assert read_name(": M0CH. RIZKY") == "MOCH. RIZKY"
    assert read_name(":") == ""
    assert read_sex("PEREMPUAN") is True
    assert read_sex("LAKI-LAKI") is False
    assert read_sex("LAKl-LAK1") is False
    assert read_sex("") is None
    assert read_rt_rw(": 003/005") == "003/005"
    assert read_rt_rw("O03 / 0O5") == "003/005"
    assert read_rt_rw("3/5") == ""


def test_domicile_hint_from_the_nik_region() -> None:
    assert registered_in_city("3574044804905316")  # Kanigaran, Kota Probolinggo
    assert not registered_in_city("3574094804905316")  # 3574 but no such kecamatan
    assert not registered_in_city("3513044804905316")  # Kabupaten Probolinggo
    assert not registered_in_city("3574")

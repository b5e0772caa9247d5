"""Exports: Moodle XML and a QTI 1.2 zip, parsed back and held to the formats' rules."""

from __future__ import annotations

import base64
import re
import zipfile

import pytest

lxml = pytest.importorskip("lxml")
from lxml import etree  # noqa: E402

from dlexam.cli import main  # noqa: E402
from dlexam.exam.export_items import MOODLE_FRACTIONS, moodle_fraction  # noqa: E402
from dlexam.exam.moodle import moodle_xml  # noqa: E402
from dlexam.exam.moodle_cloze import tolerance  # noqa: E402
from dlexam.exam.qti import QTI_NS, qti_zip  # noqa: E402
from dlexam.tasks.registry import family  # noqa: E402

ACCEPTED = {0.0, *MOODLE_FRACTIONS, *(-f for f in MOODLE_FRACTIONS)}
CLOZE_FIELD = re.compile(r"\{(\d+(?:\.\d+)?):(NUMERICAL|MULTIRESPONSE):([^{}]*)\}")


@pytest.fixture(scope="module")
def quiz():
    names = ["parameters", "loss-properties", "concepts", "hessian", "rnn"]
    data, count = moodle_xml([family(n) for n in names], range(2))
    assert count == 10
    return etree.fromstring(data)


def test_one_category_per_family_then_its_variants(quiz):
    kinds = [q.get("type") for q in quiz]
    assert kinds.count("category") == 5
    cats = [q.findtext("category/text") for q in quiz if q.get("type") == "category"]
    assert cats[0] == "$course$/top/dlexam/parameters"
    assert kinds[:3] == ["category", "multichoice", "multichoice"]


def test_multichoice_uses_only_fractions_moodle_accepts_and_feedback_per_option(quiz):
    for q in quiz.iterfind("question[@type='multichoice']"):
        answers = q.findall("answer")
        fractions = [float(a.get("fraction")) for a in answers]
        assert set(fractions) <= ACCEPTED
        assert max(fractions) > 0 and sum(f for f in fractions if f > 0) == pytest.approx(100, abs=0.01)
        assert all(a.findtext("feedback/text") for a in answers)
        assert q.findtext("single") in ("true", "false")


def test_numeric_parts_become_cloze_fields_with_tolerances(quiz):
    q = quiz.find("question[@type='cloze']")
    text = q.findtext("questiontext/text")
    fields = CLOZE_FIELD.findall(text)
    assert sum(kind == "NUMERICAL" for _, kind, _ in fields) >= 6 and any(k == "MULTIRESPONSE" for _, k, _ in fields)
    assert sum(float(p) for p, _, _ in fields) == pytest.approx(family("hessian").points)
    for _, kind, body in fields:
        if kind == "MULTIRESPONSE":
            assert {float(f) for f in re.findall(r"%(-?[\d.]+)%", body)} <= ACCEPTED


def test_essays_carry_the_key_and_the_picture_as_a_pluginfile(quiz):
    q = quiz.find("question[@type='essay']")
    info = q.find("graderinfo")
    image = info.find("file")
    assert f'@@PLUGINFILE@@/{image.get("name")}' in info.findtext("text")
    assert base64.b64decode(image.text).startswith(b"\x89PNG")


def test_fractions_and_tolerances():
    assert moodle_fraction(100 / 3) == 33.33333 and moodle_fraction(100 / 7) == 14.28571
    assert moodle_fraction(100 / 40) == 0.0 and tolerance(12) == 0.12 and tolerance(0) == 0.01


def test_qti_package_has_a_manifest_and_canvas_items():
    data, count = qti_zip([family("parameters"), family("pieces")], range(2))
    assert count == 4
    archive = zipfile.ZipFile(__import__("io").BytesIO(data))
    manifest = etree.fromstring(archive.read("imsmanifest.xml"))
    hrefs = [r.get("href") for r in manifest.iter("{*}resource")]
    assert all(r.get("type") == "imsqti_xmlv1p2" for r in manifest.iter("{*}resource")) and len(hrefs) == 2
    test = etree.fromstring(archive.read(hrefs[0]))
    assert test.tag == f"{{{QTI_NS}}}questestinterop"
    assert test.findtext(".//{*}selection_number") == "1"
    kinds = [f.findtext("{*}fieldentry") for f in test.iter("{*}qtimetadatafield")
             if f.findtext("{*}fieldlabel") == "question_type"]
    assert kinds == ["multiple_choice_question"] * 2
    essays = etree.fromstring(archive.read(hrefs[1]))
    assert "essay_question" in [f.text for f in essays.iter("{*}fieldentry")]


def test_export_command_writes_the_file_or_refuses_in_one_sentence(tmp_path, capsys):
    out = tmp_path / "q.xml"
    assert main(["export", "moodle", "--family", "parameters", "--variants", "2", "--out", str(out), "--json"]) == 0
    assert '"questions": 2' in capsys.readouterr().out and out.read_bytes().startswith(b"<?xml")
    for bad in (["--variants", "0"], ["--family", "nope"], ["--out", str(tmp_path / "no" / "q.xml")]):
        argv = ["export", "moodle", "--family", "parameters", "--out", str(tmp_path / "b.xml"), *bad, "--json"]
        assert main(argv) == 2
        assert re.fullmatch(r'\{"error": "[^"]+\."\}\n', capsys.readouterr().out)
    assert not (tmp_path / "b.xml").exists()

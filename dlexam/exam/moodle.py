"""Moodle XML: one question category per family with K variants each, so a quiz's "random question
from category" draws one per student (as R/exams' `exams2moodle` does).

- multiple choice -> `multichoice`, per-option feedback, only fractions Moodle accepts;
- a multi-part task whose parts are numbers and option letters (the Hessian) -> `cloze`, numbers
  with a tolerance, statements as MULTIRESPONSE;
- every other task (formulas, drawings, code) -> `essay`, the key and the picture as grader info,
  the picture embedded as a base64 `@@PLUGINFILE@@` file; the programming tasks give the skeleton
  as the response template.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

from lxml import etree

from dlexam.exam import export_items as items
from dlexam.exam.moodle_cloze import cloze_text, is_cloze
from dlexam.tasks.document import Code
from dlexam.tasks.model import TaskFamily, Variant

E = etree.Element


def moodle_xml(families: Iterable[TaskFamily], seeds: range) -> tuple[bytes, int]:
    """The quiz XML and how many questions it holds (categories not counted)."""
    quiz, count = E("quiz"), 0
    for fam in families:
        quiz.append(category(fam))
        for seed in seeds:
            quiz.append(question(fam, fam.generate(seed)))
            count += 1
    return etree.tostring(quiz, xml_declaration=True, encoding="UTF-8", pretty_print=True), count


def category(fam: TaskFamily) -> etree._Element:
    q = E("question", type="category")
    _text(_sub(q, "category"), f"$course$/top/dlexam/{fam.name}")
    _text(_sub(q, "info", format="html"), fam.title)
    return q


def question(fam: TaskFamily, variant: Variant) -> etree._Element:
    if items.is_choice(fam):
        return multichoice(fam, variant)
    if is_cloze(fam, variant):
        return cloze(fam, variant)
    return essay(fam, variant)


def _head(kind: str, fam: TaskFamily, variant: Variant, text: str) -> etree._Element:
    q = E("question", type=kind)
    _text(_sub(q, "name"), f"{fam.name} {variant.seed}")
    _text(_sub(q, "questiontext", format="html"), text)
    _sub(q, "defaultgrade").text = f"{fam.points:g}"
    _sub(q, "idnumber").text = f"dlexam-{fam.name}-{variant.seed}"
    return q


def multichoice(fam, variant: Variant) -> etree._Element:
    q = _head("multichoice", fam, variant, items.stem_html(fam, variant))
    _text(_sub(q, "generalfeedback", format="html"), items.key_html(fam, variant, None))
    _sub(q, "single").text = "false" if variant.data["multiple"] else "true"
    _sub(q, "shuffleanswers").text = "true"
    _sub(q, "answernumbering").text = "abc"
    for choice in items.choices(fam, variant):
        answer = _sub(q, "answer", fraction=items.percent(choice.fraction), format="html")
        _text(answer, choice.text)
        _text(_sub(answer, "feedback", format="html"), choice.feedback)
    return q


def cloze(fam: TaskFamily, variant: Variant) -> etree._Element:
    q = _head("cloze", fam, variant, cloze_text(fam, variant))
    _text(_sub(q, "generalfeedback", format="html"), items.key_html(fam, variant, None))
    return q


def essay(fam: TaskFamily, variant: Variant) -> etree._Element:
    picture = items.picture_bytes(fam, variant)
    q = _head("essay", fam, variant, items.stem_html(fam, variant))
    _text(_sub(q, "generalfeedback", format="html"), "")
    programming = fam.name in items.PROGRAMMING
    _sub(q, "responseformat").text = "monospaced" if programming else "editor"
    _sub(q, "responserequired").text = "1"
    _sub(q, "responsefieldlines").text = "30" if programming else "15"
    info = _sub(q, "graderinfo", format="html")
    _text(info, items.key_html(fam, variant, picture[0] if picture else None))
    if picture:
        _sub(info, "file", name=picture[0], path="/", encoding="base64").text = base64.b64encode(picture[1]).decode()
    template = next((b.source for b in fam.document(variant) if isinstance(b, Code) and b.language == "python"), "")
    _text(_sub(q, "responsetemplate", format="plain"), template if programming else "")
    return q


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, tag, **attrs)


def _text(parent: etree._Element, text: str) -> None:
    """A `<text>` child; HTML goes in as CDATA, as Moodle writes it."""
    node = etree.SubElement(parent, "text")
    node.text = etree.CDATA(text) if text else ""

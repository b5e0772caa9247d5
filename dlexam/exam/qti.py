"""A QTI 1.2 package (a zip with `imsmanifest.xml`) in the dialect Canvas imports: one assessment
per family whose section draws one of its K variants per student (`selection_number` 1).

Why 1.2: Canvas's "QTI .zip file" import and its own quiz export are QTI 1.2 (with Canvas's
`question_type` metadata); its QTI 2.1 import is partial. Multiple choice becomes
`multiple_choice_question` / `multiple_answers_question` with per-option feedback; every other
task an `essay_question` whose key goes into the general feedback (graded by hand).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

from lxml import etree

from dlexam.exam import export_items as items
from dlexam.tasks.model import TaskFamily, Variant

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
E = etree.Element


def qti_zip(families: Iterable[TaskFamily], seeds: range) -> tuple[bytes, int]:
    buffer, count, files = io.BytesIO(), 0, []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for fam in families:
            doc, n = assessment(fam, seeds)
            name = f"dlexam-{fam.name}/dlexam-{fam.name}.xml"
            archive.writestr(name, _xml(doc))
            files.append((fam.name, name))
            count += n
        archive.writestr("imsmanifest.xml", _xml(manifest(files)))
    return buffer.getvalue(), count


def assessment(fam: TaskFamily, seeds: range) -> tuple[etree._Element, int]:
    root = E(f"{{{QTI_NS}}}questestinterop", nsmap={None: QTI_NS})
    test = etree.SubElement(root, "assessment", ident=f"dlexam-{fam.name}", title=fam.title)
    section = etree.SubElement(test, "section", ident=f"dlexam-{fam.name}-pool", title=fam.title)
    ordering = etree.SubElement(etree.SubElement(section, "selection_ordering"), "selection")
    etree.SubElement(ordering, "selection_number").text = "1"
    etree.SubElement(ordering, "selection_extension")
    for seed in seeds:
        section.append(item(fam, fam.generate(seed)))
    return root, len(seeds)


def item(fam: TaskFamily, variant: Variant) -> etree._Element:
    choice = items.is_choice(fam)
    kind = ("multiple_answers_question" if variant.data["multiple"] else "multiple_choice_question") \
        if choice else "essay_question"
    node = E("item", ident=f"dlexam-{fam.name}-{variant.seed}", title=f"{fam.name} {variant.seed}")
    meta = etree.SubElement(etree.SubElement(node, "itemmetadata"), "qtimetadata")
    for label, value in (("question_type", kind), ("points_possible", f"{fam.points:g}")):
        field = etree.SubElement(meta, "qtimetadatafield")
        etree.SubElement(field, "fieldlabel").text = label
        etree.SubElement(field, "fieldentry").text = value
    presentation = etree.SubElement(node, "presentation")
    _mattext(presentation, items.stem_html(fam, variant))
    if choice:
        _choice_body(node, presentation, items.choices(fam, variant), bool(variant.data["multiple"]))
    else:
        etree.SubElement(etree.SubElement(presentation, "response_str", ident="response1", rcardinality="Single"),
                         "render_fib")
        etree.SubElement(node, "resprocessing")
    _feedback(node, "general_fb", items.key_html(fam, variant, None))
    return node


def _choice_body(node, presentation, rows: list[items.Choice], multiple: bool) -> None:
    lid = etree.SubElement(presentation, "response_lid", ident="response1",
                           rcardinality="Multiple" if multiple else "Single")
    render = etree.SubElement(lid, "render_choice")
    for i, row in enumerate(rows):
        label = etree.SubElement(render, "response_label", ident=f"option{i}")
        _mattext(label, row.text)
    processing = etree.SubElement(node, "resprocessing")
    outcomes = etree.SubElement(processing, "outcomes")
    etree.SubElement(outcomes, "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    correct = [i for i, row in enumerate(rows) if row.fraction > 0]
    condition = etree.SubElement(processing, "respcondition", attrib={"continue": "No"})
    test = etree.SubElement(condition, "conditionvar")
    both = etree.SubElement(test, "and") if multiple else test
    for i, row in enumerate(rows):
        if i in correct or multiple:
            parent = both if i in correct else etree.SubElement(both, "not")
            etree.SubElement(parent, "varequal", respident="response1").text = f"option{i}"
    etree.SubElement(condition, "setvar", action="Set", varname="SCORE").text = "100"
    for i, row in enumerate(rows):
        cond = etree.SubElement(processing, "respcondition", attrib={"continue": "Yes"})
        etree.SubElement(etree.SubElement(cond, "conditionvar"), "varequal", respident="response1").text = f"option{i}"
        etree.SubElement(cond, "displayfeedback", feedbacktype="Response", linkrefid=f"option{i}_fb")
    for i, row in enumerate(rows):
        _feedback(node, f"option{i}_fb", row.feedback)


def _feedback(node, ident: str, text: str) -> None:
    feedback = etree.SubElement(node, "itemfeedback", ident=ident)
    _mattext(etree.SubElement(feedback, "flow_mat"), text)


def _mattext(parent, html_text: str) -> None:
    material = etree.SubElement(parent, "material")
    etree.SubElement(material, "mattext", texttype="text/html").text = html_text


def manifest(files: list[tuple[str, str]]) -> etree._Element:
    root = E(f"{{{CP_NS}}}manifest", nsmap={None: CP_NS}, identifier="dlexam-export")
    etree.SubElement(root, f"{{{CP_NS}}}organizations")
    resources = etree.SubElement(root, f"{{{CP_NS}}}resources")
    for name, href in files:
        resource = etree.SubElement(resources, f"{{{CP_NS}}}resource", identifier=f"dlexam-{name}",
                                    type="imsqti_xmlv1p2", href=href)
        etree.SubElement(resource, f"{{{CP_NS}}}file", href=href)
    return root


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

"""A task's text as a few kinds of block, rendered to text, Markdown, HTML, LaTeX or Typst.

Families describe *what* a task says (paragraphs, code, maths, options); this module
decides how each format shows it. Inside a `Text`, `backticks` mark inline code.
"""

from __future__ import annotations

import html
import re
import string
from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Code:
    source: str
    language: str = "python"


@dataclass(frozen=True)
class Math:
    latex: str
    plain: str


@dataclass(frozen=True)
class Options:
    items: tuple[str, ...]
    multiple: bool


Block = Text | Code | Math | Options

LABELS = string.ascii_lowercase


def option_label(index: int) -> str:
    return LABELS[index]


def render(blocks: list[Block], fmt: str) -> str:
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        from dlexam.errors import InputError
        raise InputError(f"Unknown format {fmt!r}; choose one of {', '.join(_RENDERERS)}.") from None
    return "\n\n".join(renderer(block) for block in blocks) + "\n"


def _inline(text: str, escape, code) -> str:
    """Apply `escape` to plain runs and `code` to `backtick` runs."""
    parts = re.split(r"`([^`]*)`", text)
    return "".join(code(p) if i % 2 else escape(p) for i, p in enumerate(parts))


def _choice_hint(block: Options) -> str:
    return "Select all that apply." if block.multiple else "Select one."


# --- text ---------------------------------------------------------------------------

def _text(block: Block) -> str:
    match block:
        case Text(text):
            return text.replace("`", "")
        case Code(source):
            return "\n".join("    " + line for line in source.splitlines())
        case Math(_, plain):
            return "    " + plain
        case Options(items, _):
            lines = [f"  {option_label(i)}) {item.replace('`', '')}" for i, item in enumerate(items)]
            return "\n".join([_choice_hint(block), *lines])
    raise TypeError(block)


# --- Markdown -------------------------------------------------------------------------

def _md_escape(text: str) -> str:
    return re.sub(r"([\\*_\[\]<>#|])", r"\\\1", text)


def _md_inline(text: str) -> str:
    return _inline(text, _md_escape, lambda c: f"`{c}`")


def _markdown(block: Block) -> str:
    match block:
        case Text(text):
            return _md_inline(text)
        case Code(source, language):
            return f"```{language}\n{source}\n```"
        case Math(latex, _):
            return f"$$\n{latex}\n$$"
        case Options(items, multiple):
            box = "[ ]" if multiple else "( )"
            lines = [f"- {box} **{option_label(i)})** {_md_inline(it)}" for i, it in enumerate(items)]
            return "\n".join([f"*{_choice_hint(block)}*", "", *lines])
    raise TypeError(block)


# --- HTML -------------------------------------------------------------------------------

def _html_inline(text: str) -> str:
    return _inline(text, html.escape, lambda c: f"<code>{html.escape(c)}</code>")


def _html(block: Block) -> str:
    match block:
        case Text(text):
            return f"<p>{_html_inline(text)}</p>"
        case Code(source, language):
            return f'<pre><code class="language-{language}">{html.escape(source)}</code></pre>'
        case Math(latex, _):
            return f'<div class="math">\\[{html.escape(latex)}\\]</div>'
        case Options(items, multiple):
            kind = "checkbox" if multiple else "radio"
            rows = "".join(
                f'<li><label><input type="{kind}" name="answer" value="{option_label(i)}"> '
                f"{_html_inline(it)}</label></li>" for i, it in enumerate(items))
            return f'<p><em>{_choice_hint(block)}</em></p><ol type="a">{rows}</ol>'
    raise TypeError(block)


# --- LaTeX ------------------------------------------------------------------------------

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
    "<": r"\textless{}", ">": r"\textgreater{}",
}


def _latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def _latex_inline(text: str) -> str:
    return _inline(text, _latex_escape, lambda c: r"\texttt{" + _latex_escape(c) + "}")


def _latex(block: Block) -> str:
    match block:
        case Text(text):
            return _latex_inline(text)
        case Code(source, _):
            return "\\begin{verbatim}\n" + source + "\n\\end{verbatim}"
        case Math(latex, _):
            return f"\\[\n{latex}\n\\]"
        case Options(items, _):
            box = r"$\square$" if block.multiple else r"$\bigcirc$"
            rows = "\n".join(f"  \\item[{box} {option_label(i)})] {_latex_inline(it)}"
                             for i, it in enumerate(items))
            return f"\\emph{{{_choice_hint(block)}}}\n\\begin{{itemize}}\n{rows}\n\\end{{itemize}}"
    raise TypeError(block)


# --- Typst ------------------------------------------------------------------------------

def _typst_escape(text: str) -> str:
    return re.sub(r"([\\*_`$#@<>\[\]~/=+-])", r"\\\1", text)


def _typst_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _typst_inline(text: str) -> str:
    return _inline(text, _typst_escape, lambda c: f"#raw({_typst_string(c)})")


def _typst(block: Block) -> str:
    match block:
        case Text(text):
            return _typst_inline(text)
        case Code(source, language):
            return f"#raw(block: true, lang: {_typst_string(language)}, {_typst_string(source)})"
        case Math(_, plain):
            # Typst's maths syntax is not LaTeX; the plain form reads correctly as code.
            return f"#align(center, raw({_typst_string(plain)}))"
        case Options(items, _):
            rows = ", ".join(f"[{_typst_inline(it)}]" for it in items)
            return f"_{_choice_hint(block)}_\n#enum(numbering: \"a)\", {rows})"
    raise TypeError(block)


_RENDERERS = {"text": _text, "markdown": _markdown, "html": _html, "latex": _latex, "typst": _typst}

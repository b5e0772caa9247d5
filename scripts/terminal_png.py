"""Turn a terminal capture with ANSI colours (tmux capture-pane -e -p) into a PNG, to look at.

    tmux capture-pane -e -p -t SESSION > screen.ans
    .venv/bin/python scripts/terminal_png.py screen.ans screen.png
"""

import sys
from pathlib import Path

import matplotlib
from PIL import Image, ImageDraw, ImageFont
from rich.color import Color
from rich.text import Text

FONT = Path(matplotlib.get_data_path()) / "fonts/ttf/DejaVuSansMono.ttf"
BOLD = Path(matplotlib.get_data_path()) / "fonts/ttf/DejaVuSansMono-Bold.ttf"
SIZE, BACKGROUND, FOREGROUND = 15, (30, 30, 30), (220, 220, 220)


def _rgb(color: Color | None, default):
    if color is None or color.is_default:
        return default
    return tuple(color.get_truecolor())


def main(source: str, target: str) -> None:
    lines = Path(source).read_text(errors="replace").rstrip("\n").split("\n")
    regular, bold = ImageFont.truetype(str(FONT), SIZE), ImageFont.truetype(str(BOLD), SIZE)
    width = int(regular.getlength("M"))
    height = SIZE + 4
    columns = max(len(Text.from_ansi(line).plain) for line in lines) + 2
    image = Image.new("RGB", (columns * width + 20, len(lines) * height + 20), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        text = Text.from_ansi(line)
        for col, char in enumerate(text.plain):
            style = _style_at(text, col)
            colour = _rgb(style.color, FOREGROUND) if style else FOREGROUND
            if style and style.dim:
                colour = tuple(int(c * 0.6) for c in colour)
            font = bold if style and style.bold else regular
            draw.text((10 + col * width, 10 + row * height), char, font=font, fill=colour)
    image.save(target)


def _style_at(text: Text, offset: int):
    from rich.style import Style
    style = Style()
    for span in text.spans:
        if span.start <= offset < span.end:
            style += span.style if isinstance(span.style, Style) else Style.parse(span.style)
    return style


if __name__ == "__main__":
    main(*sys.argv[1:3])

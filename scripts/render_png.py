#!/usr/bin/env python3
"""Render an ANSI screen capture (tmux capture-pane -p -e) to a PNG.

pyte interprets the escape sequences into a grid of cells; Pillow draws each cell with
DejaVu Sans Mono. Box-drawing characters are drawn as lines so borders join up exactly.
usage: render_png.py CAPTURE.txt OUT.png COLUMNS ROWS
"""
import sys

import pyte
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
SIZE = 15
# A calm dark palette for the terminal's 16 colours; "default" is the terminal's own.
PALETTE = {
    "black": (30, 30, 30), "red": (205, 85, 85), "green": (120, 190, 110), "brown": (215, 180, 95),
    "yellow": (215, 180, 95), "blue": (100, 150, 220), "magenta": (190, 120, 200), "cyan": (90, 185, 190),
    "white": (205, 205, 205), "brightblack": (110, 110, 110), "brightred": (240, 120, 120),
    "brightgreen": (150, 220, 140), "brightyellow": (240, 210, 120), "brightblue": (130, 180, 250),
    "brightmagenta": (220, 150, 230), "brightcyan": (120, 215, 220), "brightwhite": (245, 245, 245),
}
DEFAULT_FG = (220, 220, 215)
DEFAULT_BG = (24, 26, 30)

# (left, right, up, down) arms of each box-drawing character.
BOX = {
    "─": (1, 1, 0, 0), "━": (1, 1, 0, 0), "│": (0, 0, 1, 1), "┃": (0, 0, 1, 1),
    "┌": (0, 1, 0, 1), "┐": (1, 0, 0, 1), "└": (0, 1, 1, 0), "┘": (1, 0, 1, 0),
    "╭": (0, 1, 0, 1), "╮": (1, 0, 0, 1), "╰": (0, 1, 1, 0), "╯": (1, 0, 1, 0),
    "├": (0, 1, 1, 1), "┤": (1, 0, 1, 1), "┬": (1, 1, 0, 1), "┴": (1, 1, 1, 0), "┼": (1, 1, 1, 1),
}


def colour(name, default):
    if name == "default":
        return default
    if name in PALETTE:
        return PALETTE[name]
    if len(name) == 6:
        try:
            return tuple(int(name[i:i + 2], 16) for i in (0, 2, 4))
        except ValueError:
            pass
    return default


def main():
    src, out, cols, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    screen = pyte.Screen(cols, rows)
    stream = pyte.Stream(screen)
    with open(src, encoding="utf-8", errors="replace") as f:
        # capture-pane ends every line with \n; the terminal needs \r\n between lines, and a
        # newline after the last one would scroll the top line away.
        stream.feed("\r\n".join(f.read().rstrip("\n").split("\n")))

    regular = ImageFont.truetype(FONT_DIR + "DejaVuSansMono.ttf", SIZE)
    bold = ImageFont.truetype(FONT_DIR + "DejaVuSansMono-Bold.ttf", SIZE)
    left, top, right, bottom = regular.getbbox("M")
    cw = regular.getlength("M")
    ch = SIZE + 5
    pad = 10
    img = Image.new("RGB", (int(cols * cw) + 2 * pad, rows * ch + 2 * pad), DEFAULT_BG)
    draw = ImageDraw.Draw(img)

    for y in range(rows):
        line = screen.buffer[y]
        for x in range(cols):
            cell = line[x]
            fg = colour(cell.fg, DEFAULT_FG)
            bg = colour(cell.bg, DEFAULT_BG)
            if cell.bold and cell.fg in PALETTE and not cell.fg.startswith("bright"):
                fg = PALETTE.get("bright" + cell.fg, fg)
            if cell.reverse:
                fg, bg = bg, fg
            x0, y0 = pad + x * cw, pad + y * ch
            if bg != DEFAULT_BG:
                draw.rectangle([x0, y0, x0 + cw, y0 + ch], fill=bg)
            char = cell.data
            if not char or char == " ":
                continue
            if char in BOX:
                l, r, u, d = BOX[char]
                cx, cy = x0 + cw / 2, y0 + ch / 2
                w = 2 if char in "━┃" else 1
                if l: draw.line([x0, cy, cx, cy], fill=fg, width=w)
                if r: draw.line([cx, cy, x0 + cw, cy], fill=fg, width=w)
                if u: draw.line([cx, y0, cx, cy], fill=fg, width=w)
                if d: draw.line([cx, cy, cx, y0 + ch], fill=fg, width=w)
                continue
            draw.text((x0, y0 + 2), char, font=bold if cell.bold else regular, fill=fg)
            if cell.underscore:
                draw.line([x0, y0 + ch - 2, x0 + cw, y0 + ch - 2], fill=fg)
    img.save(out)


if __name__ == "__main__":
    main()

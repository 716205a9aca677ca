"""The bundled content pack: quizpack/1 files, their images, and the code that draws the schematics."""

from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent

"""Engines: the only code that shells out or calls OpenCV/tesseract."""

"""linesift: label every line of a crawled page as body, spam, links or chrome.

Public API::

    from model import load_model, label_bytes, page_text
    page = label_bytes(open("page.html", "rb").read(), model=load_model())
    print(page_text(page))
"""
from model.classify import LinesiftModel, LineClassifier, load_model, save_model
from model.errors import InputError, LinesiftError, ModelError
from model.pipeline import label_bytes, process
from model.records import LABELS, Label, Line, Page
from model.write import page_record, page_text

__all__ = [
    "LABELS", "Label", "Line", "Page", "LineClassifier", "LinesiftModel", "load_model", "save_model",
    "label_bytes", "process", "page_record", "page_text", "LinesiftError", "InputError", "ModelError",
]

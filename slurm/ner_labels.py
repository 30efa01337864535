"""Label alignment for the BioBERT NER student, with no torch or transformers import so it can be tested
anywhere (python3 slurm/ner_labels.py runs its self-test).

Spans are character offsets [start, end) with a type in TYPES, as lib/ner writes them (NER JSONL:
{"note_id", "text", "spans": [{"start", "end", "type", "text"}]}). Sub-word tokens come with the
tokenizer's offset mapping; special tokens have the (0, 0) offset.

NER JSONL counts offsets in UTF-16 code units (JavaScript string indices); Python counts code points. They
differ only after a character outside the BMP, so read_jsonl and to_jsonl_spans convert when a text has one.
"""

from __future__ import annotations

import json
import sys
from typing import Iterable

TYPES = ["medication", "disease", "symptom"]
LABELS = ["O"] + [f"{prefix}-{t}" for t in TYPES for prefix in ("B", "I")]
LABEL2ID = {label: i for i, label in enumerate(LABELS)}
IGNORE = -100  # the index PyTorch's cross-entropy skips


def token_labels(offsets: Iterable[tuple[int, int]], spans: list[dict]) -> list[int]:
    """One label id per sub-word token: B- on the first token of a span inside this window, I- on the rest,
    O outside spans, IGNORE on special tokens. A token belongs to a span when their characters overlap."""
    ordered = sorted(spans, key=lambda s: (s["start"], -s["end"]))
    labels: list[int] = []
    previous_span = None
    for start, end in offsets:
        if start == end:
            labels.append(IGNORE)
            continue
        span = next((s for s in ordered if s["start"] < end and start < s["end"]), None)
        if span is None:
            labels.append(LABEL2ID["O"])
            previous_span = None
            continue
        prefix = "I" if previous_span is span else "B"
        labels.append(LABEL2ID[f"{prefix}-{span['type']}"])
        previous_span = span
    return labels


def decode_spans(text: str, offsets: list[tuple[int, int]], label_ids: list[int]) -> list[dict]:
    """Character spans from predicted label ids, in seqeval's strict IOB2 sense: B-X then I-X*; an I-X that
    does not continue an entity of its type is dropped. Special tokens are skipped."""
    spans: list[dict] = []
    current = None
    for (start, end), label_id in zip(offsets, label_ids):
        if start == end or label_id == IGNORE:
            continue
        label = LABELS[label_id]
        if label.startswith("I-") and current is not None and current["type"] == label[2:]:
            current["end"] = end
            continue
        if current is not None:
            spans.append(current)
            current = None
        if label.startswith("B-"):
            current = {"start": start, "end": end, "type": label[2:]}
    if current is not None:
        spans.append(current)
    for span in spans:
        span["text"] = text[span["start"] : span["end"]]
    return spans


def merge_windows(windows: list[tuple[list[tuple[int, int]], list[int]]]) -> tuple[list[tuple[int, int]], list[int]]:
    """Overlapping windows of one note (stride) -> one prediction per distinct token offset. A token seen in
    several windows takes the prediction from the window where it sits furthest from an edge."""
    best: dict[tuple[int, int], tuple[int, int]] = {}
    for offsets, label_ids in windows:
        real = [i for i, (s, e) in enumerate(offsets) if s != e]
        for rank, i in enumerate(real):
            margin = min(rank, len(real) - 1 - rank)
            key = offsets[i]
            if key not in best or margin > best[key][0]:
                best[key] = (margin, label_ids[i])
    ordered = sorted(best)
    return ordered, [best[key][1] for key in ordered]


def _utf16_starts(text: str) -> list[int]:
    """UTF-16 offset of each code point, plus one past the end."""
    starts, unit = [], 0
    for char in text:
        starts.append(unit)
        unit += 2 if ord(char) > 0xFFFF else 1
    starts.append(unit)
    return starts


def to_jsonl_spans(text: str, spans: list[dict]) -> list[dict]:
    """Code-point spans (Python) -> UTF-16 spans (NER JSONL)."""
    if all(ord(char) <= 0xFFFF for char in text):
        return spans
    starts = _utf16_starts(text)
    return [{**span, "start": starts[span["start"]], "end": starts[span["end"]]} for span in spans]


def from_jsonl_spans(text: str, spans: list[dict]) -> list[dict]:
    """UTF-16 spans (NER JSONL) -> code-point spans (Python); offsets inside a surrogate pair round down."""
    if all(ord(char) <= 0xFFFF for char in text):
        return spans
    points: dict[int, int] = {unit: point for point, unit in enumerate(_utf16_starts(text))}
    def convert(unit: int) -> int:
        while unit not in points and unit > 0:
            unit -= 1
        return points.get(unit, 0)
    return [{**span, "start": convert(span["start"]), "end": convert(span["end"])} for span in spans]


def read_jsonl(path: str) -> list[dict]:
    """NER JSONL notes, spans converted to code points; a bad line stops with its file and line number."""
    notes = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                note = json.loads(line)
                if not isinstance(note.get("note_id"), str) or not isinstance(note.get("text"), str):
                    raise ValueError("needs string fields note_id and text")
                for span in note.get("spans", []):
                    if span["type"] not in TYPES:
                        raise ValueError(f"unknown entity type {span['type']!r}")
            except (ValueError, KeyError, TypeError) as error:
                raise SystemExit(f"{path}:{number}: {error}") from error
            note["spans"] = from_jsonl_spans(note["text"], note.get("spans", []))
            notes.append(note)
    return notes


def _self_test() -> None:
    text = "Aspirin for chest pain."
    offsets = [(0, 0), (0, 3), (3, 7), (8, 11), (12, 17), (18, 22), (22, 23), (0, 0)]
    spans = [{"start": 0, "end": 7, "type": "medication"}, {"start": 12, "end": 22, "type": "symptom"}]
    labels = token_labels(offsets, spans)
    names = [LABELS[i] if i != IGNORE else "-" for i in labels]
    assert names == ["-", "B-medication", "I-medication", "O", "B-symptom", "I-symptom", "O", "-"], names
    decoded = decode_spans(text, offsets, labels)
    assert [(s["start"], s["end"], s["type"], s["text"]) for s in decoded] == [
        (0, 7, "medication", "Aspirin"),
        (12, 22, "symptom", "chest pain"),
    ], decoded
    # An orphan I- is not an entity (strict), and I- of another type ends the entity.
    orphan = [IGNORE, LABEL2ID["I-disease"], LABEL2ID["I-disease"], 0, LABEL2ID["B-symptom"], LABEL2ID["I-medication"], 0, IGNORE]
    assert [(s["start"], s["end"]) for s in decode_spans(text, offsets, orphan)] == [(12, 17)]
    merged_offsets, merged = merge_windows([(offsets[:5], labels[:5]), (offsets[3:], labels[3:])])
    assert merged_offsets == [o for o in offsets if o[0] != o[1]], merged_offsets
    emoji = "Pain \U0001F623 then aspirin."
    utf16 = [{"start": 13, "end": 20, "type": "medication"}]
    points = from_jsonl_spans(emoji, utf16)
    assert emoji[points[0]["start"] : points[0]["end"]] == "aspirin", points
    assert to_jsonl_spans(emoji, points) == utf16
    print("ner_labels self-test passed")


if __name__ == "__main__":
    _self_test()
    sys.exit(0)

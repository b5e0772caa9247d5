"""Quick tests (no sandbox started): answers decoded under a budget, student text made safe,
files refused before reading, --jobs capped by memory."""

from __future__ import annotations

import io
import os
import time
import zipfile

import pytest
import torch

from dlexam.queue import grading as queue_grading
from dlexam.engines.sandbox_protocol import decode_result
from dlexam.engines.sandbox_text import clean_block, clean_line, csv_cell, quote
from dlexam.grading.code import read_submission


def frame(value, state=None) -> bytes:
    buffer = io.BytesIO()
    torch.save({"status": "ok", "returned": value, "state_dict": state}, buffer)
    return buffer.getvalue()


def decoded_quickly(data: bytes):
    started = time.perf_counter()
    result = decode_result(data)
    assert time.perf_counter() - started < 2.0
    return result


@pytest.mark.parametrize("value, words", [
    ([[[0.0] * 300] * 300] * 300, "more than 20000 values"),
    (torch.ones(1).expand(10**10), "elements"),
    (torch.zeros(3).to(torch.float8_e4m3fn), "dtype torch.float8_e4m3fn"),
    (torch.zeros(3, dtype=torch.complex64), "dtype torch.complex64"),
    (torch.zeros(3, dtype=torch.uint32), "dtype torch.uint32"),
    (torch.quantize_per_tensor(torch.rand(3), 0.1, 0, torch.quint8), "quantized"),
    (torch.eye(3).to_sparse(), "layout torch.sparse_coo"),
    (torch.zeros(2, device="meta"), "the submission's answer"),
])
def test_forged_or_exotic_answers_are_refused_at_once(value, words):
    try:
        data = frame({"z": value})
    except Exception:  # noqa: BLE001 - torch cannot even save it: nothing to decode
        pytest.skip("torch cannot save this value")
    result = decoded_quickly(data)
    assert result.status == "no_result" and words in result.message, result.message


def test_a_bits8_weight_in_the_state_sent_back_is_refused():
    result = decoded_quickly(frame(None, {"0.weight": torch.empty(2, dtype=torch.bits8)}))
    assert result.status == "no_result" and "dtype torch.bits8" in result.message


def test_compressed_archives_and_huge_pickles_are_refused_before_unpickling():
    packed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(frame({"z": torch.zeros(10)}))) as src, \
            zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as out:
        for entry in src.infolist():
            out.writestr(entry.filename, src.read(entry))
    assert "compressed" in decoded_quickly(packed.getvalue()).message
    assert "pickle has" in decoded_quickly(frame({"z": list(range(400_000))})).message


def test_plain_answers_pass_and_half_precision_is_widened():
    value = {"z": torch.rand(4, 2).half(), "p": torch.nn.Parameter(torch.ones(2)), "n": [1, 2.5, "s", None, (3,)]}
    result = decoded_quickly(frame(value))
    assert result.status == "ok", result.message
    z = result.returned["z"]
    assert z.dtype == torch.float32 and type(result.returned["p"]) is torch.Tensor
    assert result.returned["n"] == [1, 2.5, "s", None, [3]]


def test_student_text_loses_escapes_controls_and_lines():
    nasty = "\x1b]0;pwned\x07\x1b]52;c;cm0gLXJmIH4K\x07ok\n  ✓ forged (3/3)\r\x1b[2K\x9b31m\u202eevil\x00"
    line = clean_line(nasty)
    assert line == "ok ⏎ ✓ forged (3/3) ⏎ evil"
    assert "\n" in clean_block(nasty) and "\x1b" not in clean_block(nasty)
    assert len(quote("A" * 10_000)) <= 200


@pytest.mark.parametrize("cell", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_cells_never_start_a_formula(cell):
    out = csv_cell(cell)
    assert out.startswith("'") and "\t" not in out and "\r" not in out
    assert csv_cell(3.5) == 3.5 and csv_cell("fine.py") == "fine.py"


def test_fifos_devices_folders_and_large_files_are_refused_at_once(tmp_path):
    fifo = tmp_path / "waits.py"
    os.mkfifo(fifo)
    big = tmp_path / "big.py"
    big.write_bytes(b"#" * (2 << 20))
    started = time.monotonic()
    for path, words in ((fifo, "not a regular file"), ("/dev/zero", "not a regular file"),
                        (tmp_path, "not a regular file"), (big, "larger than"), (tmp_path / "none.py", "cannot be read")):
        source, problem = read_submission(str(path))
        assert source is None and words in problem, problem
    assert time.monotonic() - started < 1.0
    (tmp_path / "ok.py").write_text("x = 1\n")
    assert read_submission(str(tmp_path / "ok.py")) == ("x = 1\n", None)


def test_jobs_are_capped_by_the_memory_available(monkeypatch):
    import builtins

    real_open = builtins.open

    def fake_open(path, *args, **kwargs):
        if path == "/proc/meminfo":
            return io.StringIO(f"MemTotal: 9 kB\nMemAvailable: {3 * queue_grading.JOB_MEMORY // 1024} kB\n")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    assert queue_grading.jobs_for_memory(16) == 3
    assert queue_grading.jobs_for_memory(2) == 2
